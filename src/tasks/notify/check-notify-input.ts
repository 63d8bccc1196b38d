import { isSensitiveHeader } from '../../metrics/backend/secrets.js';
import { parseDuration } from '../../util/duration.js';
import type { CheckContext, TaskProblem } from '../task-definition.js';
import type { NotifyInput } from './notify-input.js';
import { readTemplate } from './prepare-webhook.js';
import { checkPayloadTemplate } from './render-payload.js';
import { literalCredentialWarning } from '../literal-credential.js';

export const notifyTargets = ['webhook', 'slack', 'github'] as const;

/** Iter8's form: the request itself at the top of `with`. */
export function isIter8Notify(input: NotifyInput): boolean {
  return input.url !== undefined || input.urlFrom !== undefined;
}

const iter8OnlyKeys = [
  'method',
  'headers',
  'headersFrom',
  'queryParams',
  'params',
  'payloadTemplateURL',
] as const;

/** What the schema cannot say: one target, one URL, one payload source, a template that compiles. */
export async function checkNotifyInput(input: NotifyInput, context: CheckContext): Promise<TaskProblem[]> {
  const problems: TaskProblem[] = [];
  const given: string[] = notifyTargets.filter((t) => input[t] !== undefined);
  if (isIter8Notify(input)) given.unshift(input.url !== undefined ? 'url' : 'urlFrom');
  if (input.url !== undefined && input.urlFrom !== undefined) {
    problems.push({
      severity: 'error',
      path: ['urlFrom'],
      message: 'give url or urlFrom, not both',
      atKey: true,
    });
  }
  const stray = iter8OnlyKeys.filter((key) => input[key] !== undefined);
  if (!isIter8Notify(input) && stray.length > 0) {
    problems.push({
      severity: 'error',
      path: [stray[0]!],
      message: `${stray[0]} goes with url (Iter8's notify inputs)`,
      hint: 'add url, or move it into webhook',
      atKey: true,
    });
  }
  for (const name of Object.keys(input.headers ?? {}).filter(isSensitiveHeader)) {
    problems.push(literalCredentialWarning(['headers', name], name));
  }
  if (given.length === 0) {
    problems.push({
      severity: 'error',
      path: [],
      message: "say where to notify: webhook, slack, github, or Iter8's url",
    });
  } else if (given.length > 1) {
    problems.push({
      severity: 'error',
      path: [given[1]!],
      message: `notify one target per task, got ${given.join(' and ')}`,
      hint: 'use one notify task per target',
      atKey: true,
    });
  }
  if (input.timeout !== undefined) {
    try {
      if (!(parseDuration(input.timeout) > 0)) throw new Error('timeout must be more than 0');
    } catch (error) {
      problems.push({ severity: 'error', path: ['timeout'], message: (error as Error).message });
    }
  }
  const webhook = input.webhook;
  if (webhook) {
    if ((webhook.url === undefined) === (webhook.urlFrom === undefined)) {
      problems.push({
        severity: 'error',
        path: ['webhook'],
        message: 'give exactly one of url and urlFrom',
      });
    }
    if (webhook.payload !== undefined && webhook.payloadFile !== undefined) {
      problems.push({
        severity: 'error',
        path: ['webhook', 'payloadFile'],
        message: 'give payload or payloadFile, not both',
        atKey: true,
      });
    }
    const template = await loadTemplateForCheck(webhook, context.experimentDir, problems);
    const syntax = template === undefined ? undefined : checkPayloadTemplate(template.source);
    if (template && syntax) {
      problems.push({
        severity: 'error',
        path: ['webhook', template.key],
        message: `payload template: ${syntax}`,
      });
    }
    const literal = Object.keys(webhook.headers ?? {}).filter(isSensitiveHeader);
    for (const name of literal) problems.push(literalCredentialWarning(['webhook', 'headers', name], name));
  }
  return problems;
}

async function loadTemplateForCheck(
  webhook: NonNullable<NotifyInput['webhook']>,
  experimentDir: string,
  problems: TaskProblem[],
): Promise<{ source: string; key: 'payload' | 'payloadFile' } | undefined> {
  if (webhook.payloadFile !== undefined) {
    try {
      return { source: await readTemplate(webhook.payloadFile, experimentDir), key: 'payloadFile' };
    } catch (error) {
      problems.push({
        severity: 'error',
        path: ['webhook', 'payloadFile'],
        message: (error as Error).message,
      });
      return undefined;
    }
  }
  return webhook.payload === undefined ? undefined : { source: webhook.payload, key: 'payload' };
}
