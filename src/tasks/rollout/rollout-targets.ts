/**
 * The two kinds of rollout target behind one interface: read where the
 * candidate stands, and say which object to patch, and how, for a decision.
 */
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import type { RolloutDecision } from '../../results/records.js';
import type { Decided } from './decide-rollout.js';
import {
  canaryPatch,
  INFERENCE_SERVICE,
  trafficPosition,
  type TrafficPosition,
} from './inference-service-traffic.js';
import {
  groupPosition,
  LLM_INFERENCE_SERVICE,
  share,
  stopPatch,
  weightForShare,
  weightPatch,
  type GroupPosition,
} from './llm-inference-service-traffic.js';
import type { LlmGroupTarget, RolloutTarget } from './rollout-input.js';
import { canaryListPatch, promoteCanaryPatch, standardPosition } from './standard-canary-traffic.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
}

export interface PlannedPatch {
  ref: ObjectRef;
  body: { metadata?: Record<string, unknown> } & Record<string, unknown>;
  /** The field the patch changes, for the audit log. */
  field: string;
  before: string;
}

export interface TargetReading {
  position: TrafficPosition;
  /** The object as read (Standard mode patches send its whole canary list). */
  object?: unknown;
  /** What a rollback returns to, in percent. */
  rollbackTo: number;
  startWeight?: number;
}

export interface RolloutTargetKind {
  subject: string;
  read(
    api: KubernetesObjectApi,
    previous: RolloutDecision | undefined,
  ): Promise<TargetReading | { problem: string }>;
  plan(decided: Decided, reading: TargetReading): PlannedPatch;
  /** After the patch: the resourceVersion to remember and the share now configured. */
  after(
    patched: KubernetesObject,
    reading: TargetReading,
    plan: PlannedPatch,
  ): { resourceVersion?: string; to: number; afterText: string };
}

export function targetKind(target: RolloutTarget, namespace: string): RolloutTargetKind {
  if (target.resource === 'llminferenceservices') return llmGroupKind(target, namespace);
  return target.canary !== undefined
    ? standardCanaryKind(target.name, target.canary, namespace)
    : inferenceServiceKind(target.name, namespace);
}

function inferenceServiceKind(name: string, namespace: string): RolloutTargetKind {
  const ref = { ...INFERENCE_SERVICE, metadata: { name, namespace } };
  const field = 'spec.predictor.canaryTrafficPercent';
  return {
    subject: `inferenceservices.serving.kserve.io "${name}" in namespace "${namespace}"`,
    async read(api) {
      return { position: trafficPosition(await api.read(ref)), rollbackTo: 0 };
    },
    plan(decided, { position }) {
      return {
        ref,
        body: canaryPatch(decided.action === 'promote' ? null : decided.to, position.resourceVersion),
        field,
        before: position.inCanary ? String(position.percent) : '(unset)',
      };
    },
    after(patched) {
      const after = trafficPosition(patched);
      return {
        ...(after.resourceVersion !== undefined ? { resourceVersion: after.resourceVersion } : {}),
        to: after.percent,
        afterText: after.inCanary ? String(after.percent) : '(unset)',
      };
    },
  };
}

function llmGroupKind(target: LlmGroupTarget, namespace: string): RolloutTargetKind {
  const refOf = (name: string) => ({ ...LLM_INFERENCE_SERVICE, metadata: { name, namespace } });
  const names = { candidate: target.candidate, baseline: target.baseline };
  return {
    subject: `llminferenceservices.serving.kserve.io "${target.candidate}" (baseline "${target.baseline}") in namespace "${namespace}"`,
    async read(api, previous) {
      const [candidate, baseline] = await Promise.all([
        api.read(refOf(target.candidate)),
        api.read(refOf(target.baseline)),
      ]);
      const position = groupPosition(candidate, baseline, names);
      if ('problem' in position) return position;
      // The candidate's weight when the rollout began, carried from loop to loop.
      const startWeight = previous?.startWeight ?? position.candidateWeight;
      return { position, rollbackTo: share(startWeight, position.baselineWeight), startWeight };
    },
    plan(decided, reading) {
      const position = reading.position as GroupPosition;
      if (decided.action === 'promote') {
        return {
          ref: refOf(target.baseline),
          body: stopPatch(position.baselineVersion),
          field: `${target.baseline} metadata.annotations["serving.kserve.io/stop"]`,
          before: '(unset)',
        };
      }
      const weight =
        decided.action === 'rollback'
          ? reading.startWeight!
          : weightForShare(decided.to, position.baselineWeight);
      return {
        ref: refOf(target.candidate),
        body: weightPatch(weight, position.candidateVersion),
        field: `${target.candidate} spec.router.route.weight`,
        before: String(position.candidateWeight),
      };
    },
    after(patched, reading, plan) {
      const position = reading.position as GroupPosition;
      const version = patched.metadata?.resourceVersion;
      if (plan.ref.metadata.name === target.baseline) {
        return {
          resourceVersion: `${String(position.candidateVersion)},${String(version)}`,
          to: 100,
          afterText: '"true"',
        };
      }
      const weight =
        (patched as { spec?: { router?: { route?: { weight?: number } } } }).spec?.router?.route?.weight ?? 1;
      return {
        resourceVersion: `${String(version)},${String(position.baselineVersion)}`,
        to: share(weight, position.baselineWeight),
        afterText: String(weight),
      };
    },
  };
}

function standardCanaryKind(name: string, canary: string, namespace: string): RolloutTargetKind {
  const ref = { ...INFERENCE_SERVICE, metadata: { name, namespace } };
  return {
    subject: `inferenceservices.serving.kserve.io "${name}" (canary "${canary}") in namespace "${namespace}"`,
    async read(api) {
      const object = await api.read(ref);
      return { position: standardPosition(object, canary), rollbackTo: 0, object };
    },
    plan(decided, { position, object }) {
      if (decided.action === 'promote') {
        return {
          ref,
          body: promoteCanaryPatch(object, canary, position.resourceVersion),
          field: `spec.predictor (becomes canary "${canary}") and spec.canary`,
          before: `${position.percent}%`,
        };
      }
      return {
        ref,
        body: canaryListPatch(object, canary, decided.to, position.resourceVersion),
        field: `spec.canary[${canary}].trafficPercent`,
        before: String(position.percent),
      };
    },
    after(patched, _reading, plan) {
      const after = standardPosition(patched, canary);
      const promoted = plan.field.startsWith('spec.predictor');
      return {
        ...(after.resourceVersion !== undefined ? { resourceVersion: after.resourceVersion } : {}),
        to: promoted ? 100 : after.percent,
        afterText: promoted ? `predictor.name "${canary}", canary entry removed` : String(after.percent),
      };
    },
  };
}
