/** One failed attempt at a backend query, and whether another attempt could help. */

export class AttemptFailure extends Error {
  /** Short cause, e.g. `HTTP 503` or `connection refused`. */
  readonly summary: string;
  /** What the server said or the socket error, e.g. a body excerpt. */
  readonly detail: string | undefined;
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** From `Retry-After`, uncapped. */
  readonly retryAfterMs: number | undefined;

  constructor(
    summary: string,
    options: { detail?: string; status?: number; retryable: boolean; retryAfterMs?: number | undefined },
  ) {
    super(options.detail ? `${summary}: ${options.detail}` : summary);
    this.name = 'AttemptFailure';
    this.summary = summary;
    this.detail = options.detail;
    this.status = options.status;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The same failure, final: `why` is added to its detail. */
  notRetried(why: string): AttemptFailure {
    return new AttemptFailure(this.summary, {
      detail: this.detail ? `${this.detail} (${why})` : why,
      ...(this.status !== undefined ? { status: this.status } : {}),
      retryable: false,
    });
  }

  /** `HTTP 503 after 3 attempts: <detail>`. */
  describe(attempts: number): string {
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    return `${this.summary}${tries}${this.detail ? `: ${this.detail}` : ''}`;
  }
}

/** Certificate problems do not go away by retrying. */
const TLS_ERROR_CODE = /CERT|SELF_SIGNED|UNABLE_TO_|^ERR_TLS|^ERR_SSL|^ERR_OSSL/;

const SUMMARIES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'connection closed',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/**
 * Socket-level errors from undici. `duringBody`: the status line had arrived, so the
 * server dropped the connection mid-response.
 */
export function describeNetworkError(error: unknown, duringBody: boolean): AttemptFailure {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'UND_ERR_INVALID_ARG') {
    return new AttemptFailure('invalid request', { detail: message, retryable: false });
  }
  if (code !== undefined && TLS_ERROR_CODE.test(code)) {
    return new AttemptFailure('TLS error', { detail: `${message} (${code})`, retryable: false });
  }
  const summary = (code && SUMMARIES[code]) ?? 'request failed';
  const detail = duringBody ? `response cut off: ${message}` : message;
  return new AttemptFailure(summary, {
    detail: code && !SUMMARIES[code] ? `${detail} (${code})` : detail,
    retryable: true,
  });
}

/** Node puts the code on the error or, for wrapped errors, on its cause. */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 3; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}
