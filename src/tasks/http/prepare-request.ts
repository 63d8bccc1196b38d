import { resolveHeaders, type SecretContext } from '../../metrics/backend/secrets.js';
import type { HttpMethodName } from './http-input.js';
import type { EndpointSpec } from './endpoints.js';
import type { CachedFetchOptions } from '../../metrics/templates/template-source.js';
import { loadPayload, loadUrlPayload, type Payload } from './payload.js';
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
  /** The request as written on the connection: head and body. Holds any secret header values. */
  bytes: Buffer;
}

/** Where a payloadURL is cached. */
export type PayloadCache = Omit<CachedFetchOptions, 'kind'>;

/** Resolves secret headers (env, file: relative to `secrets.baseDir`, the experiment's directory). */
export async function prepareRequest(
  spec: EndpointSpec,
  secrets: SecretContext,
  cache?: PayloadCache,
): Promise<PreparedRequest> {
  const experimentDir = secrets.baseDir;
  const url = new URL(spec.url);
  const fromSecrets = await resolveHeaders(spec.headersFrom, secrets);
  const headers = { ...spec.headers, ...fromSecrets.headers };
  let body: Buffer | null = null;
  const contentType = spec.contentType ?? headers['content-type'];
  let payload: Payload | undefined;
  if (spec.payloadURL !== undefined) {
    if (!cache) throw new Error('payloadURL needs a cache directory');
    payload = await loadUrlPayload(spec.payloadURL, contentType, cache);
  } else if (spec.payload !== undefined) {
    payload = await loadPayload(spec.payload, contentType, experimentDir);
  }
  if (payload) {
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
