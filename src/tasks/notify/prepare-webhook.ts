import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TaskError } from '../../errors.js';
import { isSensitiveHeader, resolveHeaders } from '../../metrics/backend/secrets.js';
import { compactReport } from './compact-report.js';
import type { WebhookInput } from './notify-input.js';
import {
  checkHttpUrl,
  hasHeader,
  userAgent,
  type PrepareContext,
  type PreparedNotification,
} from './prepared-notification.js';
import { checkJsonPayload, renderPayload } from './render-payload.js';
import { resolveSecret } from './resolve-secret.js';
import { secretUrlParts, urlUserinfoParts } from '../../util/url-secrets.js';

/** Any HTTP endpoint: the rendered payload template, or the compact report as JSON. */
export async function prepareWebhook(
  input: WebhookInput,
  context: PrepareContext,
): Promise<PreparedNotification> {
  const secretContext = { env: { ...context.env }, baseDir: context.experimentDir };
  const secrets: string[] = [];
  let url = input.url ?? '';
  if (input.urlFrom) {
    const resolved = await resolveSecret(input.urlFrom, 'webhook url', secretContext);
    url = resolved.value;
    // A server may echo the path or query of the URL it got (where the token of a webhook URL is).
    secrets.push(...resolved.secrets, ...secretUrlParts(url));
  }
  secrets.push(...urlUserinfoParts(url));
  const parsed = checkHttpUrl(url, input.urlFrom ? 'the webhook url from urlFrom' : 'the webhook url');
  if (typeof parsed === 'string') throw new TaskError(parsed, 'error');

  const fromSecrets = input.headersFrom
    ? await resolveHeaders(input.headersFrom, secretContext)
    : { headers: {}, secrets: [] };
  secrets.push(...fromSecrets.secrets);
  const headers: Record<string, string> = { ...input.headers, ...fromSecrets.headers };
  // A literal credential header is still a credential: keep it out of messages too.
  for (const [name, value] of Object.entries(input.headers ?? {}))
    if (isSensitiveHeader(name)) secrets.push(value);
  if (!hasHeader(headers, 'user-agent')) headers['user-agent'] = userAgent;

  const body = await renderBody(input, context);
  if (!hasHeader(headers, 'content-type')) {
    const problem = checkJsonPayload(body);
    if (problem) throw new TaskError(problem, 'error');
    headers['content-type'] = 'application/json';
  }
  return {
    request: { url, method: input.method ?? 'POST', headers, body },
    secrets,
  };
}

async function renderBody(input: WebhookInput, context: PrepareContext): Promise<string> {
  const template = input.payloadFile
    ? await readTemplate(input.payloadFile, context.experimentDir)
    : input.payload;
  if (template === undefined) return JSON.stringify(compactReport(context.report));
  try {
    return renderPayload(template, {
      report: context.report,
      loop: context.loop,
      experiment: context.experiment,
    });
  } catch (error) {
    throw new TaskError((error as Error).message, 'error', { cause: error });
  }
}

export async function readTemplate(file: string, experimentDir: string): Promise<string> {
  const absolute = path.resolve(experimentDir, file);
  try {
    return await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TaskError(`cannot read payloadFile ${absolute}${code ? ` (${code})` : ''}`, 'error');
  }
}
