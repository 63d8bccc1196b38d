import type { SecretSource } from '../../metrics/backend/secrets.js';
import type { HttpInput, HttpMethodName, PayloadInput } from './http-input.js';

/** One endpoint with the task-level settings merged in, tied to the version it measures. */
export interface EndpointSpec {
  version: number;
  /** Key under `endpoints`; absent for the single `url` form. */
  id?: string;
  url: string;
  method: HttpMethodName;
  /** Lower-case names, so an endpoint's header replaces the task-level one whatever its case. */
  headers: Record<string, string>;
  /** Header values resolved from secrets when the loop runs; lower-case names, as `headers`. */
  headersFrom: Record<string, SecretSource>;
  payload?: PayloadInput;
  /** Iter8's payloadURL: the body is fetched when the loop runs. */
  payloadURL?: string;
  contentType?: string;
  /** Where the URL sits below `with`, for diagnostics. */
  path: Array<string | number>;
}

/**
 * The version rule: `url` is version 0; with `endpoints`, version i is `versions[i]` when given, else
 * the i-th key in file order. Ids in `versions` that name no endpoint are skipped (check reports them).
 */
export function listEndpoints(input: HttpInput): EndpointSpec[] {
  if (input.url !== undefined) {
    return [mergeEndpoint(input, { url: input.url }, 0, undefined, ['url'])];
  }
  const endpoints = input.endpoints ?? {};
  const order = input.versions ?? Object.keys(endpoints);
  const specs: EndpointSpec[] = [];
  for (const id of order) {
    const endpoint = endpoints[id];
    if (endpoint) specs.push(mergeEndpoint(input, endpoint, specs.length, id, ['endpoints', id, 'url']));
  }
  return specs;
}

type BodyInputs = Pick<HttpInput, 'payload' | 'payloadStr' | 'payloadFile' | 'payloadURL'>;

/** The body as canary's `payload` or a URL; Iter8's precedence: payloadURL, payloadFile, then payloadStr. */
export function bodyOf(level: BodyInputs): { payload?: PayloadInput; payloadURL?: string } | undefined {
  if (level.payload !== undefined) return { payload: level.payload };
  if (level.payloadURL !== undefined) return { payloadURL: level.payloadURL };
  if (level.payloadFile !== undefined) return { payload: { file: level.payloadFile } };
  if (level.payloadStr !== undefined) return { payload: level.payloadStr };
  return undefined;
}

function mergeEndpoint(
  input: HttpInput,
  endpoint: Partial<Pick<HttpInput, 'method' | 'headers' | 'headersFrom' | 'contentType'> & BodyInputs> & {
    url: string;
  },
  version: number,
  id: string | undefined,
  path: Array<string | number>,
): EndpointSpec {
  const body = bodyOf(endpoint) ?? bodyOf(input) ?? {};
  const hasBody = body.payload !== undefined || body.payloadURL !== undefined;
  const contentType = endpoint.contentType ?? input.contentType;
  // A header set at both levels takes the endpoint's, whether it is literal or from a secret there.
  const headers = { ...lowerCaseKeys(input.headers), ...lowerCaseKeys(endpoint.headers) };
  const headersFrom = { ...lowerCaseKeys(input.headersFrom), ...lowerCaseKeys(endpoint.headersFrom) };
  for (const name of Object.keys(lowerCaseKeys(endpoint.headers))) delete headersFrom[name];
  for (const name of Object.keys(lowerCaseKeys(endpoint.headersFrom))) delete headers[name];
  return {
    version,
    ...(id !== undefined ? { id } : {}),
    url: endpoint.url,
    method: endpoint.method ?? input.method ?? (hasBody ? 'POST' : 'GET'),
    headers,
    headersFrom,
    ...body,
    ...(contentType !== undefined ? { contentType } : {}),
    path,
  };
}

function lowerCaseKeys<T>(headers: Readonly<Record<string, T>> | undefined): Record<string, T> {
  const result: Record<string, T> = {};
  for (const [name, value] of Object.entries(headers ?? {})) result[name.toLowerCase()] = value;
  return result;
}
