import { httpProvider } from './http-provider.js';
import { iter8EndpointOnlyKeys, type EndpointInput, type HttpInput } from './http-input.js';

/** One load run of the task and the prefix its metrics are recorded under. */
export interface MetricGroup {
  /** `http`, or `http-<id>` for one of Iter8's named endpoints. */
  provider: string;
  /** The inputs of this run: task-level settings with the endpoint's merged in. */
  input: HttpInput;
  /** Where the group's endpoint sits below `with` (named endpoints only), for diagnostics. */
  path?: Array<string | number>;
}

/**
 * Iter8's `endpoints` map names its endpoints: each is measured as version 0 under `http-<id>/...`.
 * canary's own map is one version per endpoint under `http/...`. The shapes tell them apart: an endpoint
 * carrying one of Iter8's per-endpoint inputs (numRequests, qps, payloadStr, ...), or a task-level `url`
 * beside `endpoints` (Iter8's default url; canary's form forbids it), makes the map Iter8's.
 * `endpointsAre` overrides the guess; Iter8 files and chart values always set it.
 */
export function hasNamedEndpoints(input: HttpInput): boolean {
  const endpoints = Object.values(input.endpoints ?? {});
  if (endpoints.length === 0) return false;
  if (input.endpointsAre !== undefined) return input.endpointsAre === 'named';
  if (input.versions !== undefined) return false;
  if (input.url !== undefined) return true;
  return endpoints.some((endpoint) => iter8EndpointOnlyKeys.some((key) => endpoint[key] !== undefined));
}

/** The task's load runs: one for `url` or canary's per-version endpoints, one per Iter8 named endpoint. */
export function metricGroupsOf(input: HttpInput): MetricGroup[] {
  if (!hasNamedEndpoints(input)) return [{ provider: httpProvider, input }];
  const { endpoints = {}, ...taskLevel } = input;
  return Object.entries(endpoints).map(([id, endpoint]) => ({
    provider: `${httpProvider}-${id}`,
    input: mergeNamedEndpoint(taskLevel, endpoint),
    path: ['endpoints', id],
  }));
}

/** Iter8 merged the task-level inputs into each endpoint (mergo): the endpoint's own values win. */
function mergeNamedEndpoint(taskLevel: Omit<HttpInput, 'endpoints'>, endpoint: EndpointInput): HttpInput {
  const merged: Record<string, unknown> = { ...taskLevel };
  for (const [key, value] of Object.entries(endpoint)) {
    if (value !== undefined && key !== 'headers' && key !== 'headersFrom') merged[key] = value;
  }
  // A header the endpoint sets, literally or from a secret, replaces the task-level one of that name.
  const headers = withoutNames(taskLevel.headers, endpoint.headersFrom);
  const headersFrom = withoutNames(taskLevel.headersFrom, endpoint.headers);
  Object.assign(headers, endpoint.headers);
  Object.assign(headersFrom, endpoint.headersFrom);
  if (Object.keys(headers).length > 0) merged['headers'] = headers;
  if (Object.keys(headersFrom).length > 0) merged['headersFrom'] = headersFrom;
  // A body given at the endpoint replaces the task-level one, whichever input spells it.
  if (payloadKeys.some((key) => endpoint[key] !== undefined)) {
    for (const key of payloadKeys) if (endpoint[key] === undefined) delete merged[key];
  }
  return merged as HttpInput;
}

export const payloadKeys = ['payload', 'payloadStr', 'payloadFile', 'payloadURL'] as const;

function withoutNames<T>(
  headers: Readonly<Record<string, T>> | undefined,
  names: Readonly<Record<string, unknown>> | undefined,
): Record<string, T> {
  const drop = new Set(Object.keys(names ?? {}).map((name) => name.toLowerCase()));
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !drop.has(name.toLowerCase())));
}
