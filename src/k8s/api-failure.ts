/**
 * What went wrong with a Kubernetes API call, in three kinds a caller acts on
 * differently: the server answered with an error Status; no answer came
 * (refused, reset, DNS, TLS); or the request was aborted.
 */
import { ApiException } from '@kubernetes/client-node';

export type ApiFailure =
  | {
      type: 'status';
      code: number;
      /** Status.reason, e.g. NotFound, Forbidden, Conflict, when the body was a Status. */
      reason?: string;
      /** Status.message, or the body text, or the HTTP code. */
      message: string;
    }
  | { type: 'transport'; message: string }
  | { type: 'aborted' };

export function classifyApiFailure(error: unknown): ApiFailure | undefined {
  if (error instanceof ApiException) {
    const status = statusBodyOf(error.body);
    return {
      type: 'status',
      code: error.code,
      ...(status.reason !== undefined ? { reason: status.reason } : {}),
      message: status.message ?? `HTTP ${error.code}`,
    };
  }
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'AbortError') return { type: 'aborted' };
  // node-fetch's FetchError (type "system") carries the socket error code.
  const code = (error as { code?: unknown }).code;
  if (error.name === 'FetchError' || (typeof code === 'string' && /^E[A-Z_]+$/.test(code))) {
    return { type: 'transport', message: transportReason(error.message) };
  }
  return undefined;
}

/** "request to http://x/api failed, reason: connect ECONNREFUSED 127.0.0.1:1" -> "connect ECONNREFUSED 127.0.0.1:1". */
function transportReason(message: string): string {
  return /reason: (.*)$/s.exec(message)?.[1]?.trim() ?? message;
}

function statusBodyOf(body: unknown): { reason?: string; message?: string } {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() !== '' ? { message: body.trim() } : {};
    }
  }
  if (typeof value !== 'object' || value === null) return {};
  const { reason, message } = value as { reason?: unknown; message?: unknown };
  return {
    ...(typeof reason === 'string' && reason !== '' ? { reason } : {}),
    ...(typeof message === 'string' && message !== '' ? { message } : {}),
  };
}
