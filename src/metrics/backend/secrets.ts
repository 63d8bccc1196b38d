/**
 * Header values that come from the environment or from files, so that tokens never
 * appear in committed templates or rendered provider specs.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TaskError } from '../../errors.js';

export { Redactor, REDACTED, isSensitiveHeader } from './redactor.js';

/**
 * Where a header value comes from. `env` and `file` values are secrets; `value` is a
 * literal from the experiment (e.g. a tenant id), which is not. `prefix` goes in front
 * (e.g. `Bearer `) and is not part of the secret.
 */
export type SecretSource =
  { env: string; prefix?: string } | { file: string; prefix?: string } | { value: string };

export interface SecretContext {
  env: Record<string, string | undefined>;
  /** Directory that relative `file` paths are resolved against (the experiment's). */
  baseDir: string;
}

export interface ResolvedHeaders {
  headers: Record<string, string>;
  /** The secret parts of the values, for a Redactor. */
  secrets: string[];
}

/** Resolves every header; throws a TaskError naming the header and the variable or file, never the value. */
export async function resolveHeaders(
  headersFrom: Readonly<Record<string, SecretSource>>,
  context: SecretContext,
): Promise<ResolvedHeaders> {
  const resolved: ResolvedHeaders = { headers: {}, secrets: [] };
  for (const [name, source] of Object.entries(headersFrom)) {
    const { value, secret } = await resolveSource(source, context, `header "${name}"`);
    resolved.headers[name] = value;
    if (secret !== undefined) resolved.secrets.push(secret);
  }
  return resolved;
}

/** `Authorization: Bearer <token>`. */
export async function bearer(token: SecretSource, context: SecretContext): Promise<ResolvedHeaders> {
  const { secret, value } = await resolveSource(token, context, 'bearer token');
  return { headers: { Authorization: `Bearer ${value}` }, secrets: secret === undefined ? [] : [secret] };
}

/** `Authorization: Basic base64(<username>:<password>)`; the encoded pair counts as a secret too. */
export async function basic(
  credentials: { username: SecretSource; password: SecretSource },
  context: SecretContext,
): Promise<ResolvedHeaders> {
  const username = await resolveSource(credentials.username, context, 'basic auth username');
  const password = await resolveSource(credentials.password, context, 'basic auth password');
  if (username.value.includes(':')) {
    throw new TaskError('basic auth username must not contain ":"', 'error');
  }
  const encoded = Buffer.from(`${username.value}:${password.value}`, 'utf8').toString('base64');
  const secrets = [username.secret, password.secret, encoded].filter((s): s is string => s !== undefined);
  return { headers: { Authorization: `Basic ${encoded}` }, secrets };
}

/** The value with any prefix applied, and its secret part (undefined for literal values). */
async function resolveSource(
  source: SecretSource,
  context: SecretContext,
  what: string,
): Promise<{ value: string; secret: string | undefined }> {
  if ('value' in source) {
    checkHeaderValue(source.value, what, 'the literal value');
    return { value: source.value, secret: undefined };
  }
  const prefix = source.prefix ?? '';
  if ('env' in source) {
    const secret = context.env[source.env];
    const origin = `environment variable ${source.env}`;
    if (secret === undefined) throw new TaskError(`${what}: ${origin} is not set`, 'error');
    if (secret.trim() === '') throw new TaskError(`${what}: ${origin} is empty`, 'error');
    checkHeaderValue(secret, what, origin);
    return { value: prefix + secret, secret };
  }
  const file = path.resolve(context.baseDir, source.file);
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TaskError(`${what}: cannot read secret file ${file}${code ? ` (${code})` : ''}`, 'error');
  }
  // Files written by editors and `echo` end in a newline; Kubernetes secret mounts may not.
  const secret = content.replace(/\r?\n$/, '');
  const origin = `secret file ${file}`;
  if (secret.trim() === '') throw new TaskError(`${what}: ${origin} is empty`, 'error');
  checkHeaderValue(secret, what, origin);
  return { value: prefix + secret, secret };
}

/** A line break would end the header early (and undici rejects it with the value in hand). */
function checkHeaderValue(value: string, what: string, origin: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\r\n\u0000]/.test(value)) {
    throw new TaskError(
      `${what}: ${origin} contains a line break or NUL, which a header cannot hold`,
      'error',
    );
  }
}
