/**
 * Where a KServe InferenceService in Serverless mode stands in a canary
 * rollout, and the merge patches that move it. Field names follow KServe's
 * v1beta1 types (pkg/apis/serving/v1beta1/component.go and
 * inference_service_status.go): `spec.predictor.canaryTrafficPercent` is the
 * candidate (latest ready revision) share; without it the latest revision
 * takes all traffic. `status.components.predictor.traffic` is Knative's
 * TrafficTarget list, where `latestRevision: true` marks the candidate.
 */

import { asRecord, readyConditionStatus } from './object-fields.js';

export const INFERENCE_SERVICE = {
  apiVersion: 'serving.kserve.io/v1beta1',
  kind: 'InferenceService',
} as const;

export interface TrafficPosition {
  /** The candidate's configured share in percent: canaryTrafficPercent, or 100 without it. */
  percent: number;
  /** canaryTrafficPercent is set: a canary rollout is in progress (or was rolled back, at 0). */
  inCanary: boolean;
  /** Why there is no canary to move, when there is none. */
  notInCanary?: string;
  /** The share KServe reports routing to the latest revision, when its status says. */
  observed?: number;
  /** The Ready condition's status ('True', 'False', 'Unknown'), when there is one. */
  ready?: string;
  resourceVersion?: string;
}

export function trafficPosition(object: unknown): TrafficPosition {
  const root = asRecord(object);
  const predictor = asRecord(asRecord(root['spec'])['predictor']);
  const configured = predictor['canaryTrafficPercent'];
  const inCanary = typeof configured === 'number';
  const status = asRecord(root['status']);
  const observed = observedShare(status);
  const ready = readyConditionStatus(status);
  const resourceVersion = asRecord(root['metadata'])['resourceVersion'];
  return {
    percent: inCanary ? configured : 100,
    inCanary,
    ...(inCanary
      ? {}
      : { notInCanary: 'no canary in progress: spec.predictor.canaryTrafficPercent is not set' }),
    ...(observed !== undefined ? { observed } : {}),
    ...(ready !== undefined ? { ready } : {}),
    ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
  };
}

/** The patch that sets the candidate's share: a number, or null to promote (remove the field). */
export function canaryPatch(percent: number | null, resourceVersion: string | undefined) {
  return {
    // The resourceVersion makes the API server refuse the patch (409) if someone changed the object
    // since it was read: canary never overwrites a person's change.
    ...(resourceVersion !== undefined ? { metadata: { resourceVersion } } : {}),
    spec: { predictor: { canaryTrafficPercent: percent } },
  };
}

/** Sum of the traffic KServe routes to the latest revision (the candidate). */
function observedShare(status: Record<string, unknown>): number | undefined {
  const predictor = asRecord(asRecord(status['components'])['predictor']);
  const traffic = predictor['traffic'];
  if (!Array.isArray(traffic) || traffic.length === 0) return undefined;
  let share = 0;
  for (const entry of traffic) {
    const target = asRecord(entry);
    if (target['latestRevision'] === true && typeof target['percent'] === 'number')
      share += target['percent'];
  }
  return share;
}
