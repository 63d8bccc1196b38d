/**
 * Queries a metrics backend (Prometheus's HTTP API or any HTTP/JSON API) and always
 * ends in JSON or a reason. Only an abort through `signal` throws.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { AbortError } from 'p-retry';
import { AttemptFailure, describeNetworkError } from './attempt-failure.js';
import type { HttpEnv } from '../../util/http-dispatcher.js';
import { type BackendTls, getBackendDispatcher } from './backend-dispatcher.js';
import { type BackendRequest, type PreparedRequest, prepareRequest } from './backend-request.js';
import { interpretResponse, readBody } from './backend-response.js';
import { Redactor, isSensitiveHeader } from './redactor.js';
import { retryAttempts } from './retry-attempts.js';
import { linkAbort } from '../../util/linked-abort.js';

export type { BackendRequest, PreparedRequest } from './backend-request.js';
export type { BackendTls } from './backend-dispatcher.js';
export { closeBackendConnections } from './backend-dispatcher.js';

/** A whole HTTP answer, before it is read as JSON. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface TransportOptions {
  signal: AbortSignal;
  tls: BackendTls | undefined;
  /** Proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) as the caller's environment has them. */
  env: HttpEnv | undefined;
  maxResponseBytes: number;
  /** Called when the status line has arrived (a later failure cut the body off). */
  onHeaders(): void;
}

/**
 * Sends one prepared request and reads the whole answer, or throws. HTTP by default; recording
 * wraps it, and replay answers from a fixture instead, so both go through the same reading and
 * retry rules as a live query.
 */
export type Transport = (request: PreparedRequest, options: TransportOptions) => Promise<RawResponse>;

export type BackendResponse =
  | { ok: true; status: number; json: unknown; attempts: number }
  | { ok: false; reason: string; status?: number; attempts: number };

export interface RetryEvent {
  /** The attempt that failed, from 1. */
  attempt: number;
  /** Why, secrets redacted. */
  reason: string;
  /** Extra wait the server asked for with `Retry-After`, before the usual backoff. */
  retryAfterMs?: number;
}

export interface QueryOptions {
  /** Per attempt: connecting, sending and reading the whole response. */
  timeoutMs: number;
  /** Further attempts after the first (so `retries: 2` makes at most 3 attempts). */
  retries: number;
  signal?: AbortSignal;
  tls?: BackendTls;
  /** The caller's environment: its proxy variables route the request (never process.env). */
  env?: HttpEnv;
  /** First backoff delay; doubles per retry, with jitter (×1–2). Default 250 ms. */
  minRetryDelayMs?: number;
  /** Backoff ceiling. Default 10 s. */
  maxRetryDelayMs?: number;
  /** Longest `Retry-After` honoured; a server asking for longer gets no retry. Default 30 s. */
  maxRetryAfterMs?: number;
  /** Default 16 MiB. */
  maxResponseBytes?: number;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (event: RetryEvent) => void;
  /** Secrets the headers do not show as such (a basic-auth password), kept out of reasons too. */
  redactor?: Redactor;
  /** How the request is sent; default `httpTransport`. */
  transport?: Transport;
}

const DEFAULT_MIN_RETRY_DELAY_MS = 250;
const DEFAULT_MAX_RETRY_DELAY_MS = 10_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** Below this, values of ordinary headers are not worth redacting (and would mangle text). */
const MIN_REDACTED_VALUE_LENGTH = 8;
/** Standard headers whose values are never secret, and common enough to appear in bodies. */
const PUBLIC_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'content-type',
  'user-agent',
  'cache-control',
]);

export async function queryBackend(request: BackendRequest, options: QueryOptions): Promise<BackendResponse> {
  checkOptions(options);
  options.signal?.throwIfAborted();
  const redactor = redactorFor(request.headers);
  if (options.redactor) redactor.merge(options.redactor);
  const prepared = prepareRequest(request);
  if ('problem' in prepared) return { ok: false, reason: redactor.redact(prepared.problem), attempts: 0 };

  const outcome = await retryAttempts(() => attempt(prepared, options, redactor), {
    retries: options.retries,
    minRetryDelayMs: options.minRetryDelayMs ?? DEFAULT_MIN_RETRY_DELAY_MS,
    maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS,
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
    signal: options.signal,
    onRetry: (attempt, failure, retryAfterMs) =>
      options.onRetry?.({
        attempt,
        reason: redactor.redact(failure.describe(1)),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      }),
  });
  const { attempts } = outcome;
  if (outcome.ok) return { ok: true, status: outcome.value.status, json: outcome.value.json, attempts };
  const reason = redactor.redact(outcome.failure.describe(attempts));
  return outcome.failure.status === undefined
    ? { ok: false, reason, attempts }
    : { ok: false, reason, status: outcome.failure.status, attempts };
}

/** One request with its own deadline; resolves with JSON or throws AttemptFailure. */
async function attempt(
  prepared: PreparedRequest,
  options: QueryOptions,
  redactor: Redactor,
): Promise<{ status: number; json: unknown }> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
  const unlink = options.signal ? linkAbort(options.signal, deadline).unlink : undefined;
  const signal = deadline.signal;
  let gotHeaders = false;
  try {
    const response = await (options.transport ?? httpTransport)(prepared, {
      signal,
      tls: options.tls,
      env: options.env,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      onHeaders: () => (gotHeaders = true),
    });
    return {
      status: response.status,
      json: interpretResponse(response.status, response.headers, response.text, (text) =>
        redactor.redact(text),
      ),
    };
  } catch (error) {
    if (options.signal?.aborted) throw new AbortError('aborted'); // stop retrying; the caller rethrows the reason
    if (error instanceof AttemptFailure) throw error;
    if (signal.aborted) {
      const detail = gotHeaders
        ? `response body incomplete after ${options.timeoutMs}ms`
        : `no response within ${options.timeoutMs}ms`;
      throw new AttemptFailure('timeout', { detail, retryable: true });
    }
    throw describeNetworkError(error, gotHeaders);
  } finally {
    clearTimeout(timer);
    unlink?.();
  }
}

/** The real thing: one request through the pooled connections of its TLS setting. */
export const httpTransport: Transport = async (prepared, options) => {
  // The dispatcher's own request(): undici's top-level request() would parse the URL again.
  const response = await getBackendDispatcher(options.tls, options.env).request({
    origin: prepared.url.origin,
    path: `${prepared.url.pathname}${prepared.url.search}`,
    method: prepared.method,
    headers: prepared.headers,
    body: prepared.body,
    signal: options.signal,
  });
  options.onHeaders();
  const text = await readBody(response.body, options.maxResponseBytes, response.statusCode);
  return { status: response.statusCode, headers: response.headers, text };
};

/** Values of credential headers, and long values of custom headers, never appear in a reason. */
function redactorFor(headers: Readonly<Record<string, string>>): Redactor {
  const redactor = new Redactor();
  for (const [name, value] of Object.entries(headers)) {
    if (isSensitiveHeader(name)) {
      redactor.add(value);
      // `Bearer <token>`: the token alone may be echoed back, too
      const credential = /^\S+\s+(\S.*)$/.exec(value)?.[1];
      if (credential) redactor.add(credential);
    } else if (value.length >= MIN_REDACTED_VALUE_LENGTH && !PUBLIC_HEADERS.has(name.toLowerCase())) {
      redactor.add(value);
    }
  }
  return redactor;
}

function checkOptions(options: QueryOptions): void {
  if (!(options.timeoutMs > 0) || !Number.isFinite(options.timeoutMs)) {
    throw new RangeError(`timeoutMs must be a positive number, got ${options.timeoutMs}`);
  }
  if (!Number.isInteger(options.retries) || options.retries < 0) {
    throw new RangeError(`retries must be an integer >= 0, got ${options.retries}`);
  }
}
