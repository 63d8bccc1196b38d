/**
 * Iter8's http task and canary's read some inputs differently when they are absent. An http task
 * that came from Iter8 (an Iter8-shaped file or chart values) gets Iter8's meaning written out:
 * - allowInitialErrors: Iter8 defaulted it to false (fortio aborts the run when the first request on
 *   a connection fails); canary's default only counts such errors.
 * - endpoints: always Iter8's named endpoints (metrics http-<id>/...), never canary's per-version map.
 * - warmupNumRequests / warmupDuration in a file: Iter8's task never read them (the chart turned them
 *   into a `warmup: true` task, and left them on the main task too), so they are dropped.
 */
export interface Iter8HttpEdits {
  /** Inputs to add, with Iter8's meaning. */
  set: Record<string, unknown>;
  /** Inputs Iter8's task ignored. */
  drop: string[];
}

export function iter8HttpEdits(inputs: Record<string, unknown>, from: 'file' | 'values'): Iter8HttpEdits {
  const set: Record<string, unknown> = {};
  if (inputs['allowInitialErrors'] === undefined) set['allowInitialErrors'] = false;
  const endpoints = inputs['endpoints'];
  const hasEndpoints = endpoints !== null && typeof endpoints === 'object' && !Array.isArray(endpoints);
  if (hasEndpoints && inputs['endpointsAre'] === undefined) set['endpointsAre'] = 'named';
  const drop =
    from === 'file'
      ? ['warmupNumRequests', 'warmupDuration'].filter((key) => Object.hasOwn(inputs, key))
      : [];
  return { set, drop };
}

/** `inputs` with the edits made, keys in their original order, added ones last. */
export function withIter8HttpEdits(
  inputs: Record<string, unknown>,
  edits: Iter8HttpEdits,
): Record<string, unknown> {
  const kept = Object.entries(inputs).filter(([key]) => !edits.drop.includes(key));
  return { ...Object.fromEntries(kept), ...edits.set };
}

/**
 * Iter8's grpc task also named its `endpoints` (metrics grpc-<id>/...); canary's grpc task has no named
 * form and measures one endpoint per version (grpc/...). Said out loud rather than misread silently.
 */
export const iter8GrpcEndpointsNote =
  "Iter8 measured grpc endpoints by name (grpc-<id>/...); canary's grpc task measures one endpoint per " +
  'version (grpc/... of version i)';
export const iter8GrpcEndpointsHint =
  'for one endpoint per task as in Iter8, write one grpc task per endpoint';

export function hasGrpcEndpoints(task: unknown, inputs: unknown): boolean {
  if (task !== 'grpc' || inputs === null || typeof inputs !== 'object') return false;
  const endpoints = (inputs as Record<string, unknown>)['endpoints'];
  return endpoints !== null && typeof endpoints === 'object' && Object.keys(endpoints).length > 0;
}
