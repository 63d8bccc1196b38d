import { resolveHeaders, type SecretContext } from '../../metrics/backend/secrets.js';
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
  /** The request as written on the connection: head and body. Holds any secret header values. */
  bytes: Buffer;
}

/** Resolves secret headers (env, file: relative to `secrets.baseDir`, the experiment's directory). */
export async function prepareRequest(spec: EndpointSpec, secrets: SecretContext): Promise<PreparedRequest> {
  const experimentDir = secrets.baseDir;
  const url = new URL(spec.url);
  const fromSecrets = await resolveHeaders(spec.headersFrom, secrets);
  const headers = { ...spec.headers, ...fromSecrets.headers };
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
