/** Puts query parameters where the backend expects them. */

export interface BackendRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** URL-encoded into the query string, or into a form body for a POST without a body. */
  params?: Array<{ name: string; value: string }>;
  body?: string;
}

export interface PreparedRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | undefined;
}

const FORM_TYPE = 'application/x-www-form-urlencoded';
/** What Iter8's custommetrics task (Go) sent with a metric's `body`. */
export const ITER8_BODY_TYPE = 'application/json;charset=utf-8';

/**
 * The request ready to send, or a problem. A metric's body goes with GET or POST, as in Iter8, with
 * Iter8's Content-Type unless a header sets one. A POST without a body sends its params as a
 * form, as Prometheus's `/api/v1/query` accepts; this keeps long queries out of URLs
 * (and out of proxy logs and URL length limits).
 */
export function prepareRequest(request: BackendRequest): PreparedRequest | { problem: string } {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { problem: `invalid URL ${JSON.stringify(request.url)}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { problem: `unsupported URL scheme ${JSON.stringify(url.protocol)} (use http or https)` };
  }
  const headers = { ...request.headers };
  // A GET may carry a body, as Iter8's Go client sent it; either way the body says what it is.
  if (request.body !== undefined && !hasHeader(headers, 'content-type')) {
    headers['content-type'] = ITER8_BODY_TYPE;
  }
  const params = request.params ?? [];
  let body = request.body;
  if (request.method === 'POST' && body === undefined && params.length > 0) {
    body = toSearchParams(params).toString();
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = FORM_TYPE;
  } else {
    for (const { name, value } of params) url.searchParams.append(name, value);
  }
  return { url, method: request.method, headers, body };
}

function toSearchParams(params: Array<{ name: string; value: string }>): URLSearchParams {
  const search = new URLSearchParams();
  for (const { name, value } of params) search.append(name, value);
  return search;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}
