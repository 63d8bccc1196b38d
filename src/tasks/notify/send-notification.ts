/**
 * Sends one HTTP notification with retries. Unlike queryBackend (which needs a JSON answer),
 * any 2xx counts as delivered: Slack answers `ok`, GitHub answers 204 with no body.
 */
import { AbortError } from 'p-retry';
import { request as sendRequest } from 'undici';
import { AttemptFailure, describeNetworkError } from '../../metrics/backend/attempt-failure.js';
import { excerpt, readBody } from '../../metrics/backend/backend-response.js';
import { parseRetryAfter } from '../../metrics/backend/retry-after.js';
import { retryAttempts } from '../../metrics/backend/retry-attempts.js';
import { getHttpDispatcher, type HttpEnv } from '../../util/http-dispatcher.js';

export interface NotificationRequest {
  url: string;
  /** GET and DELETE only for Iter8's notify inputs, which allowed any method. */
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers: Record<string, string>;
  /** Absent: no body (Iter8's GET without a payload template). */
  body?: string;
}

export interface SendOptions {
  timeoutMs: number;
  /** Further attempts after the first. */
  retries: number;
  signal?: AbortSignal;
  /** The caller's environment: its proxy variables route the request (never process.env). */
  env?: HttpEnv;
  /** First backoff delay, doubling per retry with jitter; default 250 ms. */
  minRetryDelayMs?: number;
  /** Runs over a response body or Location before it is cut to an excerpt, where a secret cut in half would escape redaction. */
  redact?: (text: string) => string;
  /** Called before each retry with the reason (only `redact` applied). */
  onRetry?: (attempt: number, reason: string) => void;
}

export type SendOutcome =
  | { ok: true; status: number; attempts: number }
  | { ok: false; reason: string; status?: number; attempts: number };

const maxRetryAfterMs = 30_000;
/** Receivers answer with a word or an error page; anything longer is not worth reading. */
const maxResponseBytes = 1024 * 1024;

/** Never throws for delivery problems, only when `signal` aborts. Reasons are redacted only by `redact`. */
export async function sendNotification(
  request: NotificationRequest,
  options: SendOptions,
): Promise<SendOutcome> {
  options.signal?.throwIfAborted();
  const outcome = await retryAttempts(() => attempt(request, options), {
    retries: options.retries,
    minRetryDelayMs: options.minRetryDelayMs ?? 250,
    maxRetryDelayMs: 10_000,
    maxRetryAfterMs,
    signal: options.signal,
    onRetry: (attempt, failure) => options.onRetry?.(attempt, failure.describe(1)),
  });
  const { attempts } = outcome;
  if (outcome.ok) return { ok: true, status: outcome.value, attempts };
  const reason = outcome.failure.describe(attempts);
  return outcome.failure.status === undefined
    ? { ok: false, reason, attempts }
    : { ok: false, reason, status: outcome.failure.status, attempts };
}

async function attempt(request: NotificationRequest, options: SendOptions): Promise<number> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  let gotHeaders = false;
  try {
    const response = await sendRequest(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body ?? null,
      dispatcher: getHttpDispatcher({}, options.env),
      signal,
    });
    gotHeaders = true;
    const status = response.statusCode;
    const text = await readBody(response.body, maxResponseBytes, status);
    if (status >= 200 && status < 300) return status;
    throw statusFailure(status, response.headers, text, options.redact ?? ((t) => t));
  } catch (error) {
    if (options.signal?.aborted) throw new AbortError('aborted');
    if (error instanceof AttemptFailure) throw error;
    if (deadline.signal.aborted) {
      const detail = gotHeaders
        ? `response incomplete after ${options.timeoutMs}ms`
        : `no response within ${options.timeoutMs}ms`;
      throw new AttemptFailure('timeout', { detail, retryable: true });
    }
    throw describeNetworkError(error, gotHeaders);
  } finally {
    clearTimeout(timer);
  }
}

/** 429 and 5xx may pass on another try; other statuses will fail the same way again. */
function statusFailure(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  text: string,
  redact: (text: string) => string,
): AttemptFailure {
  const summary = `HTTP ${status}`;
  if (status >= 300 && status < 400) {
    const location =
      typeof headers.location === 'string' ? ` to ${excerpt(redact(headers.location), 200)}` : '';
    return new AttemptFailure(summary, {
      detail: `redirect${location} not followed; use the final URL`,
      status,
      retryable: false,
    });
  }
  const retryable = status === 429 || status >= 500;
  return new AttemptFailure(summary, {
    detail: excerpt(redact(text), 200),
    status,
    retryable,
    retryAfterMs: retryable ? parseRetryAfter(headers['retry-after']) : undefined,
  });
}
