import type { HttpMethodName } from './http-input.js';
import type { EndpointSpec } from './endpoints.js';
import { loadPayload } from './payload.js';
import { serializeRequest } from './request-bytes.js';

/** Everything a request needs, computed once: the load loop sends these same values every time. */
export interface PreparedRequest {
  version: number;
  /** The URL as written, for messages. */
  url: string;
  /** `https:` connects with TLS. */
  secure: boolean;
  /** Host name or IP address (without IPv6 brackets), and port. */
  hostname: string;
  port: number;
  method: HttpMethodName;
  /** The request as written on the connection: head and body. */
  bytes: Buffer;
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
  const secure = url.protocol === 'https:';
  return {
    version: spec.version,
    url: spec.url,
    secure,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    method: spec.method,
    bytes: serializeRequest({
      method: spec.method,
      path: `${url.pathname}${url.search}`,
      host: url.host,
      headers,
      body,
    }),
  };
}
