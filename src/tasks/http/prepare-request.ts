import type { HttpMethodName } from './http-input.js';
import type { EndpointSpec } from './endpoints.js';
import { loadPayload } from './payload.js';

/** Everything a request needs, computed once: the load loop sends these same values every time. */
export interface PreparedRequest {
  version: number;
  /** The URL as written, for messages. */
  url: string;
  origin: string;
  /** Path and query. */
  path: string;
  method: HttpMethodName;
  /** Flat [name, value, ...] list, the form undici takes without converting. */
  headers: string[];
  body: Buffer | null;
}

export async function prepareRequest(spec: EndpointSpec, experimentDir: string): Promise<PreparedRequest> {
  const url = new URL(spec.url);
  const headers = { ...spec.headers };
  let body: Buffer | null = null;
  if (spec.payload !== undefined) {
    const payload = await loadPayload(
      spec.payload,
      spec.contentType ?? headers['content-type'],
      experimentDir,
    );
    body = payload.body;
    headers['content-type'] = payload.contentType;
  } else if (spec.contentType !== undefined) {
    headers['content-type'] = spec.contentType;
  }
  return {
    version: spec.version,
    url: spec.url,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: spec.method,
    headers: Object.entries(headers).flat(),
    body,
  };
}
