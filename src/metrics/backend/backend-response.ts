/** Turns an HTTP response into JSON or an AttemptFailure that says what the server said. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { AttemptFailure } from './attempt-failure.js';
import { parseRetryAfter } from './retry-after.js';

const NOT_JSON_EXCERPT = 80;
const ERROR_EXCERPT = 200;

/** Reads the whole body as UTF-8, refusing more than `maxBytes`. */
export async function readBody(body: Readable, maxBytes: number, status: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw new AttemptFailure(`HTTP ${status}`, {
        detail: `response is larger than ${maxBytes} bytes`,
        status,
        retryable: false,
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The parsed JSON of a successful response; throws AttemptFailure otherwise. `redact` runs over
 * the whole text before it is cut to an excerpt: a secret cut in half no longer matches a redactor.
 */
export function interpretResponse(
  status: number,
  headers: IncomingHttpHeaders,
  text: string,
  redact: (text: string) => string = (t) => t,
): unknown {
  const json = parseJson(text);
  const prometheusError = json.ok ? describePrometheusError(json.value, redact) : undefined;
  const summary = `HTTP ${status}`;

  if (status >= 200 && status < 300) {
    if (!json.ok) {
      throw new AttemptFailure(summary, {
        detail: `response is not JSON: ${excerpt(redact(text), NOT_JSON_EXCERPT)}`,
        status,
        retryable: false,
      });
    }
    if (prometheusError)
      throw new AttemptFailure(summary, { detail: prometheusError, status, retryable: false });
    return json.value;
  }

  const detail = prometheusError ?? excerpt(redact(text), ERROR_EXCERPT);
  // Overloaded or briefly unavailable: worth another try. Other 4xx will fail the same way again.
  const retryable = status === 429 || status >= 500;
  if (status >= 300 && status < 400) {
    const location = headers.location;
    const target = typeof location === 'string' ? ` to ${excerpt(redact(location), ERROR_EXCERPT)}` : '';
    throw new AttemptFailure(summary, {
      detail: `redirect${target} not followed; use the final URL`,
      status,
      retryable: false,
    });
  }
  const retryAfterMs = retryable ? parseRetryAfter(headers['retry-after']) : undefined;
  throw new AttemptFailure(summary, { detail, status, retryable, retryAfterMs });
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Prometheus's API wraps failures as `{"status":"error","errorType":"bad_data","error":"..."}`. */
function describePrometheusError(json: unknown, redact: (text: string) => string): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { status, errorType, error } = json as Record<string, unknown>;
  if (status !== 'error') return undefined;
  const type = typeof errorType === 'string' && errorType !== '' ? errorType : 'unknown';
  const message = typeof error === 'string' ? error : JSON.stringify(error ?? null);
  return `Prometheus error (${type}): ${excerpt(redact(message), ERROR_EXCERPT)}`;
}

/** One line of at most `max` characters. */
export function excerpt(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return '(empty body)';
  return line.length <= max ? line : `${line.slice(0, max)}…`;
}
