/**
 * A KServe InferenceService in Standard mode with named canaries (`spec.canary[]`,
 * in KServe's v1beta1 types: inference_service.go CanarySpec {predictor,
 * trafficPercent}, inference_service_status.go CanaryStatus {name, ready,
 * trafficPercent}). The list is `listType=atomic`, so every patch sends it whole.
 * Promotion as KServe's type comment documents it: the stable predictor becomes
 * the canary's (predictor.name included) and the canary entry is removed.
 * Rollback sets the canary's trafficPercent to 0 (a dark launch: still deployed).
 */
import type { TrafficPosition } from './inference-service-traffic.js';

interface CanaryEntry {
  predictor?: Record<string, unknown>;
  trafficPercent?: number;
}

export function standardPosition(object: unknown, canary: string): TrafficPosition {
  const root = asRecord(object);
  const entries = canariesOf(object);
  const entry = entries.find((e) => asRecord(e.predictor)['name'] === canary);
  const status = asRecord(root['status']);
  const canaryStatus = (Array.isArray(status['canaryStatuses']) ? status['canaryStatuses'] : [])
    .map(asRecord)
    .find((s) => s['name'] === canary);
  const conditions = Array.isArray(status['conditions']) ? status['conditions'].map(asRecord) : [];
  const readyCondition = conditions.find((c) => c['type'] === 'Ready')?.['status'];
  const ready =
    typeof readyCondition === 'string' && readyCondition !== 'True'
      ? readyCondition
      : canaryStatus && canaryStatus['ready'] !== true
        ? 'False'
        : typeof readyCondition === 'string'
          ? readyCondition
          : undefined;
  const resourceVersion = asRecord(root['metadata'])['resourceVersion'];
  const observed = canaryStatus?.['trafficPercent'];
  return {
    percent: typeof entry?.trafficPercent === 'number' ? entry.trafficPercent : 0,
    inCanary: entry !== undefined,
    ...(entry ? {} : { notInCanary: `no canary named "${canary}" in spec.canary` }),
    ...(typeof observed === 'number' ? { observed } : {}),
    ...(ready !== undefined ? { ready } : {}),
    ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
  };
}

/** The whole spec.canary list with the named canary's share changed. */
export function canaryListPatch(object: unknown, canary: string, percent: number, resourceVersion?: string) {
  const canaries = canariesOf(object).map((e) =>
    asRecord(e.predictor)['name'] === canary ? { ...e, trafficPercent: percent } : e,
  );
  return { ...guard(resourceVersion), spec: { canary: canaries } };
}

/** The stable predictor becomes the canary's; the entry goes (and the list, when it was the last). */
export function promoteCanaryPatch(object: unknown, canary: string, resourceVersion?: string) {
  const entries = canariesOf(object);
  const entry = entries.find((e) => asRecord(e.predictor)['name'] === canary);
  const rest = entries.filter((e) => e !== entry);
  const current = asRecord(asRecord(asRecord(object)['spec'])['predictor']);
  return {
    ...guard(resourceVersion),
    spec: {
      predictor: mergePatchFromTo(current, asRecord(entry?.predictor)),
      canary: rest.length > 0 ? rest : null,
    },
  };
}

/** A merge patch that turns `from` into `to` (keys only in `from` become null; lists are replaced). */
export function mergePatchFromTo(
  from: Record<string, unknown>,
  to: Record<string, unknown>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    const before = from[key];
    patch[key] = isPlainObject(before) && isPlainObject(value) ? mergePatchFromTo(before, value) : value;
  }
  return patch;
}

function guard(resourceVersion: string | undefined) {
  return resourceVersion !== undefined ? { metadata: { resourceVersion } } : {};
}

function canariesOf(object: unknown): CanaryEntry[] {
  const list = asRecord(asRecord(object)['spec'])['canary'];
  return Array.isArray(list) ? (list.map(asRecord) as CanaryEntry[]) : [];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return isPlainObject(value) ? value : {};
}
