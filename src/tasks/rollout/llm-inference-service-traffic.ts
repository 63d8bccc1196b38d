/**
 * Where a KServe LLMInferenceService route group stands, and the merge patches
 * that move it. Field names follow KServe's v1alpha2 types
 * (pkg/apis/serving/v1alpha2/llm_inference_service_types.go): members of one
 * group share `spec.router.route.group`, and `spec.router.route.weight` is each
 * one's proportional (Gateway API backendRef) share; `status.router.group.members`
 * reports the effective weights. The annotation `serving.kserve.io/stop: "true"`
 * stops a member: it stays in the group with no traffic.
 */
import type { TrafficPosition } from './inference-service-traffic.js';
import { asRecord, readyConditionStatus } from './object-fields.js';

export const LLM_INFERENCE_SERVICE = {
  apiVersion: 'serving.kserve.io/v1alpha2',
  kind: 'LLMInferenceService',
} as const;
export const STOP_ANNOTATION = 'serving.kserve.io/stop';

/** Gateway API: a backendRef without a weight has weight 1. */
const DEFAULT_WEIGHT = 1;

export interface GroupPosition extends TrafficPosition {
  candidateWeight: number;
  baselineWeight: number;
  candidateVersion?: string;
  baselineVersion?: string;
}

/** The candidate's share of the pair, in whole percent; or why the pair is not one group. */
export function groupPosition(
  candidate: unknown,
  baseline: unknown,
  names: { candidate: string; baseline: string },
): GroupPosition | { problem: string } {
  const candidateGroup = routeOf(candidate)['group'];
  const baselineGroup = routeOf(baseline)['group'];
  if (typeof candidateGroup !== 'string' || candidateGroup !== baselineGroup) {
    return {
      problem: `LLMInferenceServices "${names.candidate}" and "${names.baseline}" are not in one route group (spec.router.route.group: ${JSON.stringify(candidateGroup ?? null)} and ${JSON.stringify(baselineGroup ?? null)})`,
    };
  }
  const candidateWeight = weightOf(candidate);
  const baselineWeight = isStopped(baseline) ? 0 : weightOf(baseline);
  const observed = observedShare(candidate, names);
  const ready = readyConditionStatus(asRecord(candidate)['status']);
  const candidateVersion = asRecord(asRecord(candidate)['metadata'])['resourceVersion'];
  const baselineVersion = asRecord(asRecord(baseline)['metadata'])['resourceVersion'];
  return {
    percent: share(candidateWeight, baselineWeight),
    // A stopped baseline means the candidate was promoted: no canary left to move.
    inCanary: !isStopped(baseline),
    ...(isStopped(baseline)
      ? {
          notInCanary: `the baseline "${names.baseline}" is stopped (${STOP_ANNOTATION}): nothing left to roll out`,
        }
      : {}),
    ...(observed !== undefined ? { observed } : {}),
    ...(ready !== undefined ? { ready } : {}),
    // Both objects: a change to either is someone else steering.
    resourceVersion: `${String(candidateVersion)},${String(baselineVersion)}`,
    candidateWeight,
    baselineWeight,
    ...(typeof candidateVersion === 'string' ? { candidateVersion } : {}),
    ...(typeof baselineVersion === 'string' ? { baselineVersion } : {}),
  };
}

/** The candidate's weight that gives it `percent` of the traffic next to the baseline's weight. */
export function weightForShare(percent: number, baselineWeight: number): number {
  if (percent >= 100) return Math.max(baselineWeight, DEFAULT_WEIGHT) * 100;
  return Math.round((baselineWeight * percent) / (100 - percent));
}

export function weightPatch(weight: number, resourceVersion: string | undefined) {
  return {
    ...(resourceVersion !== undefined ? { metadata: { resourceVersion } } : {}),
    spec: { router: { route: { weight } } },
  };
}

export function stopPatch(resourceVersion: string | undefined) {
  return {
    metadata: {
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
      annotations: { [STOP_ANNOTATION]: 'true' },
    },
  };
}

export function share(candidateWeight: number, baselineWeight: number): number {
  const total = candidateWeight + baselineWeight;
  return total === 0 ? 0 : Math.round((100 * candidateWeight) / total);
}

function routeOf(object: unknown): Record<string, unknown> {
  return asRecord(asRecord(asRecord(asRecord(object)['spec'])['router'])['route']);
}

function weightOf(object: unknown): number {
  const weight = routeOf(object)['weight'];
  return typeof weight === 'number' ? weight : DEFAULT_WEIGHT;
}

function isStopped(object: unknown): boolean {
  const annotations = asRecord(asRecord(asRecord(object)['metadata'])['annotations']);
  return annotations[STOP_ANNOTATION] === 'true';
}

/** The candidate's share by the effective weights the controller reports for the group. */
function observedShare(
  candidate: unknown,
  names: { candidate: string; baseline: string },
): number | undefined {
  const members = asRecord(asRecord(asRecord(asRecord(candidate)['status'])['router'])['group'])['members'];
  if (!Array.isArray(members)) return undefined;
  const weight = (name: string) => {
    const member = members.map(asRecord).find((m) => m['name'] === name);
    if (!member) return undefined;
    return member['stopped'] === true
      ? 0
      : typeof member['weight'] === 'number'
        ? member['weight']
        : undefined;
  };
  const candidateWeight = weight(names.candidate);
  const baselineWeight = weight(names.baseline);
  if (candidateWeight === undefined || baselineWeight === undefined) return undefined;
  return share(candidateWeight, baselineWeight);
}
