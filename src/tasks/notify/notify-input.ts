import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema } from '../../config/experiment-schema.js';
import { secretSourceSchema } from '../../metrics/backend/secret-source-schema.js';

/** Same shape as custommetrics' `headersFrom` values, so secrets are configured one way. */
const secretSource = secretSourceSchema;

const SecretSourceSchema = secretSource(
  'A secret from an environment variable, a file (relative to the experiment), or a literal (not secret)',
);
const HeaderNameSchema = Type.String({ pattern: '^[A-Za-z0-9-]+$' });
const httpUrl = (description: string) => Type.String({ pattern: '^https?://', description });

export const WebhookSchema = Type.Object(
  {
    url: Type.Optional(httpUrl('Where to send the notification')),
    urlFrom: Type.Optional(
      secretSource('The URL from a secret (when the URL itself is a credential); instead of url'),
    ),
    method: Type.Optional(
      Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('PATCH')], { default: 'POST' }),
    ),
    headers: Type.Optional(Type.Record(HeaderNameSchema, Type.String(), { additionalProperties: false })),
    headersFrom: Type.Optional(
      Type.Record(HeaderNameSchema, SecretSourceSchema, { additionalProperties: false }),
    ),
    payload: Type.Optional(
      Type.String({
        description:
          'Nunjucks template of the body, rendered when the notification is sent; reads report, loop, experiment. ' +
          'Use `| dump` for JSON values.',
      }),
    ),
    payloadFile: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'The payload template in a file, relative to the experiment',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Any HTTP endpoint; the body defaults to the compact report as JSON',
  },
);

export const SlackSchema = Type.Object(
  {
    url: secretSource('Slack incoming-webhook URL, a secret'),
  },
  { additionalProperties: false, description: 'Slack incoming webhook: verdict and SLOs per version' },
);

export const GitHubSchema = Type.Object(
  {
    repository: Type.String({ pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$', description: 'owner/name' }),
    token: secretSource('A token allowed to dispatch to the repository (contents: write)'),
    eventType: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        default: 'canary',
        description: 'repository_dispatch type',
      }),
    ),
    apiUrl: Type.Optional(
      httpUrl('GitHub API root, for GitHub Enterprise Server; default https://api.github.com'),
    ),
  },
  {
    additionalProperties: false,
    description: 'GitHub repository_dispatch event; client_payload is the compact report',
  },
);

/** Iter8's notify inputs, at the top of `with`: the request Iter8 made, its body from payloadTemplateURL. */
export const iter8NotifyFields = {
  url: Type.Optional(httpUrl("Iter8's url: where to send the request")),
  urlFrom: Type.Optional(secretSource('The url from a secret (when the URL itself is a credential)')),
  method: Type.Optional(
    Type.Union(
      ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => Type.Literal(m)),
      { description: 'Default GET, or POST with payloadTemplateURL (as Iter8)' },
    ),
  ),
  headers: Type.Optional(Type.Record(HeaderNameSchema, Type.String(), { additionalProperties: false })),
  headersFrom: Type.Optional(
    Type.Record(HeaderNameSchema, SecretSourceSchema, { additionalProperties: false }),
  ),
  queryParams: Type.Optional(
    Type.Record(Type.String(), Type.String(), { description: 'Query parameters added to the url' }),
  ),
  params: Type.Optional(
    Type.Record(Type.String(), Type.String(), { description: "queryParams, as Iter8's Go field was named" }),
  ),
  payloadTemplateURL: Type.Optional(
    httpUrl(
      'A Go template of the body, fetched when the loop runs (cached like URL templates) and rendered ' +
        "with canary's Go-template engine on {Report: ...}, the value Iter8 gave it",
    ),
  ),
};

export const NotifyInputSchema = Type.Object(
  {
    ...iter8NotifyFields,
    webhook: Type.Optional(WebhookSchema),
    slack: Type.Optional(SlackSchema),
    github: Type.Optional(GitHubSchema),
    softFailure: Type.Optional(
      Type.Boolean({
        default: true,
        description:
          'true: a notification that cannot be sent is recorded in the task output and the loop goes on; false: the task fails (execution error)',
      }),
    ),
    timeout: Type.Optional(
      Type.String({ pattern: DurationSchema.pattern, description: 'Per attempt (default 10s)' }),
    ),
    retries: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10,
        description: 'Further attempts on 5xx, 429, timeouts and connection errors (default 2)',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "Exactly one of webhook, slack, github, or Iter8's url (or urlFrom) with its inputs",
  },
);

export type NotifyInput = Static<typeof NotifyInputSchema>;
export type WebhookInput = Static<typeof WebhookSchema>;
export type SlackInput = Static<typeof SlackSchema>;
export type GitHubInput = Static<typeof GitHubSchema>;
