import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TaskError } from '../../errors.js';
import { renderGoTemplate } from '../../metrics/go-template/index.js';
import { isSensitiveHeader, resolveHeaders } from '../../metrics/backend/secrets.js';
import { builtinTemplateDir, fetchCached } from '../../metrics/templates/template-source.js';
import { defaultCacheDir } from '../../util/cache-dir.js';
import { iter8ReportData } from './iter8-report.js';
import type { NotifyInput } from './notify-input.js';
import { checkHttpUrl, type PrepareContext, type PreparedNotification } from './prepared-notification.js';
import { resolveSecret } from './resolve-secret.js';
import type { NotificationRequest } from './send-notification.js';

/** The chart's default payloads (charts/iter8/templates/_payload-*.tpl of Iter8 v0.14.10, unchanged). */
export type DefaultPayload = 'slack' | 'github';

export function defaultPayloadPath(name: DefaultPayload): string {
  return path.join(builtinTemplateDir, 'notify', `payload-${name}.tpl`);
}

/**
 * Iter8's notify request: its url (or urlFrom) with queryParams, headers (and headersFrom), and a body
 * rendered from payloadTemplateURL (or a default payload) on `{Report}`. No Content-Type is added, as
 * Iter8 added none.
 */
export async function prepareIter8Notify(
  input: NotifyInput,
  context: PrepareContext,
  defaultPayload?: DefaultPayload,
): Promise<PreparedNotification> {
  const secretContext = { env: { ...context.env }, baseDir: context.experimentDir };
  const secrets: string[] = [];
  let url = input.url ?? '';
  if (input.urlFrom) {
    const resolved = await resolveSecret(input.urlFrom, 'url', secretContext);
    url = resolved.value;
    secrets.push(...resolved.secrets);
  }
  const parsed = checkHttpUrl(url, input.urlFrom ? 'the url from urlFrom' : 'the url');
  if (typeof parsed === 'string') throw new TaskError(parsed, 'error');
  for (const [name, value] of Object.entries({ ...input.params, ...input.queryParams })) {
    parsed.searchParams.append(name, value);
  }
  const fromSecrets = input.headersFrom
    ? await resolveHeaders(input.headersFrom, secretContext)
    : { headers: {}, secrets: [] };
  secrets.push(...fromSecrets.secrets);
  for (const [name, value] of Object.entries(input.headers ?? {}))
    if (isSensitiveHeader(name)) secrets.push(value);
  const template = await payloadTemplate(input, context, defaultPayload);
  const body =
    template === undefined
      ? undefined
      : renderBody(template, iter8ReportData(context.report, context.experimentStart ?? new Date()));
  const method = (input.method ?? (body !== undefined ? 'POST' : 'GET')) as NotificationRequest['method'];
  return {
    request: {
      url: parsed.toString(),
      method,
      headers: { ...input.headers, ...fromSecrets.headers },
      ...(body !== undefined ? { body } : {}),
    },
    secrets,
  };
}

async function payloadTemplate(
  input: NotifyInput,
  context: PrepareContext,
  defaultPayload: DefaultPayload | undefined,
): Promise<{ name: string; text: string } | undefined> {
  if (input.payloadTemplateURL !== undefined) {
    try {
      const bytes = await fetchCached(input.payloadTemplateURL, {
        kind: 'template',
        cacheDir: path.resolve(context.experimentDir, defaultCacheDir(context.env)),
        offline: context.env.CANARY_OFFLINE === '1' || context.env.CANARY_OFFLINE === 'true',
        env: context.env,
      });
      return { name: input.payloadTemplateURL, text: bytes.toString('utf8') };
    } catch (error) {
      throw new TaskError(`payloadTemplateURL: ${(error as Error).message}`, 'error', { cause: error });
    }
  }
  if (defaultPayload === undefined) return undefined;
  return {
    name: `payload-${defaultPayload}.tpl`,
    text: await readFile(defaultPayloadPath(defaultPayload), 'utf8'),
  };
}

function renderBody(template: { name: string; text: string }, data: unknown): string {
  try {
    return renderGoTemplate(template.text, template.name, data);
  } catch (error) {
    throw new TaskError(`payload template ${template.name}: ${(error as Error).message}`, 'error', {
      cause: error,
    });
  }
}
