/** RFC 9110 token: what a header name may be made of. */
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field values: no CR, LF or NUL, which would end the header early or be refused. */
const unsafeValuePattern = /[\r\n\0]/;

/** Why a header cannot be sent as given, or undefined when it can. */
export function headerProblem(name: string, value: string): string | undefined {
  if (!tokenPattern.test(name)) return `header name ${JSON.stringify(name)} is not a valid HTTP token`;
  if (unsafeValuePattern.test(value)) {
    return `the value of header ${name} contains a line break or NUL character`;
  }
  return undefined;
}

export interface RequestLine {
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** `host[:port]`, the default Host header. */
  host: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer | null;
}

/**
 * The whole request, serialized once: every request of a run is the same bytes. Keep-alive is HTTP/1.1's
 * default; a body has a Content-Length, and so does an empty POST, PUT or PATCH (some servers insist).
 */
export function serializeRequest(request: RequestLine): Buffer {
  const lines = [`${request.method} ${request.path} HTTP/1.1`];
  if (request.headers.host === undefined) lines.push(`host: ${request.host}`);
  for (const [name, value] of Object.entries(request.headers)) {
    const problem = headerProblem(name, value);
    if (problem) throw new Error(problem);
    lines.push(`${name}: ${value}`);
  }
  const bodyLength = request.body?.length ?? 0;
  if (bodyLength > 0 || ['POST', 'PUT', 'PATCH'].includes(request.method)) {
    lines.push(`content-length: ${bodyLength}`);
  }
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return request.body && bodyLength > 0 ? Buffer.concat([head, request.body]) : head;
}
