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

/**
 * The request ready to send, or a problem. A POST without a body sends its params as a
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
  if (request.method === 'GET' && request.body !== undefined) {
    return { problem: 'a GET request cannot have a body; use POST' };
  }

  const headers = { ...request.headers };
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
