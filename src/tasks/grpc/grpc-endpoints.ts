import type { GrpcCallSettings, GrpcInput } from './grpc-input.js';

/** One endpoint with the task-level settings merged in, tied to the version it measures. */
export interface GrpcEndpointSpec {
  version: number;
  /** Key under `endpoints`; absent for the single-call form. */
  id?: string;
  settings: GrpcCallSettings;
  /** Where the endpoint sits below `with`, for diagnostics ([] for the task level). */
  path: Array<string | number>;
}

/** Settings that name the same thing: an endpoint's one replaces the task level's other. */
const exclusiveGroups: ReadonlyArray<ReadonlyArray<keyof GrpcCallSettings>> = [
  ['proto', 'protoURL', 'protoset'],
  ['data', 'dataURL', 'data-file'],
  ['metadata', 'metadataURL', 'metadata-file'],
  ['dialTimeout', 'connect-timeout'],
  ['warmupNumRequests', 'warmupDuration'],
];

/**
 * The version rule, as the http task's: without endpoints the task level is version 0; with them,
 * version i is `versions[i]` when given, else the i-th key in file order. Unknown ids are skipped
 * (check reports them).
 */
export function listGrpcEndpoints(input: GrpcInput): GrpcEndpointSpec[] {
  const base: GrpcCallSettings = { ...input };
  // Task-level keys that are not call settings.
  for (const key of ['endpoints', 'versions', 'percentiles', 'warmup'])
    delete (base as Record<string, unknown>)[key];
  const { endpoints, versions } = input;
  if (endpoints === undefined) return [{ version: 0, settings: base, path: [] }];
  const specs: GrpcEndpointSpec[] = [];
  for (const id of versions ?? Object.keys(endpoints)) {
    const endpoint = endpoints[id];
    if (endpoint) {
      specs.push({
        version: specs.length,
        id,
        settings: mergeSettings(base, endpoint),
        path: ['endpoints', id],
      });
    }
  }
  return specs;
}

function mergeSettings(base: GrpcCallSettings, endpoint: GrpcCallSettings): GrpcCallSettings {
  const merged: GrpcCallSettings = { ...base };
  for (const group of exclusiveGroups) {
    if (group.some((key) => endpoint[key] !== undefined)) for (const key of group) delete merged[key];
  }
  return { ...merged, ...endpoint };
}
