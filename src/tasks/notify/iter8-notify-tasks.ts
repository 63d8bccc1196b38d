import { Type, type Static } from '@sinclair/typebox';
import { secretSourceSchema } from '../../metrics/backend/secret-source-schema.js';
import { defineTask } from '../task-definition.js';
import { checkNotifyInput } from './check-notify-input.js';
import type { NotifyInput } from './notify-input.js';
import { runNotify } from './notify.js';

const softFailure = Type.Optional(
  Type.Boolean({ description: 'Default true (as the chart): a failed notification does not fail the loop' }),
);
const payloadTemplateURL = Type.Optional(
  Type.String({
    pattern: '^https?://',
    description: "Go template of the body; default the chart's payload, rendered on {Report}",
  }),
);

export const SlackTaskInputSchema = Type.Object(
  {
    url: Type.Optional(Type.String({ pattern: '^https?://', description: 'Slack incoming-webhook URL' })),
    urlFrom: Type.Optional(secretSourceSchema('The webhook URL from a secret (it is a credential)')),
    method: Type.Optional(
      Type.Union(
        ['POST', 'PUT'].map((m) => Type.Literal(m)),
        { default: 'POST' },
      ),
    ),
    payloadTemplateURL,
    softFailure,
  },
  { additionalProperties: false },
);

export const GitHubTaskInputSchema = Type.Object(
  {
    owner: Type.String({ minLength: 1, description: 'Repository owner' }),
    repo: Type.String({ minLength: 1, description: 'Repository name' }),
    token: Type.Optional(Type.String({ minLength: 1, description: 'A token (prefer tokenFrom: a secret)' })),
    tokenFrom: Type.Optional(secretSourceSchema('The token from a secret')),
    apiUrl: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'API root (default https://api.github.com)' }),
    ),
    payloadTemplateURL,
    softFailure,
  },
  { additionalProperties: false },
);

type SlackTaskInput = Static<typeof SlackTaskInputSchema>;
type GitHubTaskInput = Static<typeof GitHubTaskInputSchema>;

/** Iter8's chart task `slack`: a notify POST of the chart's _payload-slack.tpl. */
function slackAsNotify(input: SlackTaskInput): NotifyInput {
  return {
    ...(input.url !== undefined ? { url: input.url } : {}),
    ...(input.urlFrom !== undefined ? { urlFrom: input.urlFrom } : {}),
    method: input.method ?? 'POST',
    ...(input.payloadTemplateURL !== undefined ? { payloadTemplateURL: input.payloadTemplateURL } : {}),
    softFailure: input.softFailure ?? true,
  };
}

/** Iter8's chart task `github`: a repository_dispatch POST of the chart's _payload-github.tpl. */
function githubAsNotify(input: GitHubTaskInput): NotifyInput {
  const api = (input.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const repo = `${encodeURIComponent(input.owner)}/${encodeURIComponent(input.repo)}`;
  return {
    url: `${api}/repos/${repo}/dispatches`,
    method: 'POST',
    headers: {
      Accept: 'application/vnd.github+json',
      ...(input.token !== undefined ? { Authorization: `token ${input.token}` } : {}),
    },
    ...(input.tokenFrom !== undefined
      ? { headersFrom: { Authorization: tokenHeader(input.tokenFrom) } }
      : {}),
    ...(input.payloadTemplateURL !== undefined ? { payloadTemplateURL: input.payloadTemplateURL } : {}),
    softFailure: input.softFailure ?? true,
  };
}

/** GitHub's `Authorization: token X`, from whichever secret holds X. */
function tokenHeader(
  source: NonNullable<GitHubTaskInput['tokenFrom']>,
): NonNullable<GitHubTaskInput['tokenFrom']> {
  if ('value' in source) return { value: `token ${source.value}` };
  return { ...source, prefix: `token ${source.prefix ?? ''}` };
}

export const slackTask = defineTask({
  name: 'slack',
  description: "Iter8's slack task: post the report to a Slack incoming webhook (the chart's payload)",
  inputSchema: SlackTaskInputSchema,
  produces: () => [],
  check: async (input, context) => {
    const problems = await checkNotifyInput(slackAsNotify(input), context);
    return problems.map((p) =>
      p.message.startsWith('say where') ? { ...p, message: 'give url or urlFrom' } : p,
    );
  },
  run: (input, context) => runNotify(slackAsNotify(input), context, 'slack'),
});

export const githubTask = defineTask({
  name: 'github',
  description: "Iter8's github task: a repository_dispatch with the report (the chart's payload)",
  inputSchema: GitHubTaskInputSchema,
  produces: () => [],
  check: async (input, context) => {
    const problems = await checkNotifyInput(githubAsNotify(input), context);
    if ((input.token === undefined) === (input.tokenFrom === undefined)) {
      problems.push({ severity: 'error', path: [], message: 'give exactly one of token and tokenFrom' });
    } else if (input.token !== undefined) {
      problems.push({
        severity: 'warning',
        path: ['token'],
        message: 'the token is written in the experiment',
        hint: 'use tokenFrom: {env: GITHUB_TOKEN}',
      });
    }
    return problems.filter((p) => !(p.path[0] === 'headers'));
  },
  run: (input, context) => runNotify(githubAsNotify(input), context, 'github'),
});
