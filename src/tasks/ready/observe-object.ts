/**
 * One look at the object: what state it is in with respect to readiness, or
 * why it could not be seen. Each poll produces one Observation; the last one
 * is what a timeout reports.
 */
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { classifyApiFailure } from '../../k8s/api-failure.js';
import type { ResolvedResource } from '../../k8s/resolve-resource.js';

export interface ReadyTarget {
  resource: ResolvedResource;
  name: string;
  namespace: string;
  condition?: string;
}

export interface ConditionSummary {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export type Observation =
  | { state: 'ready'; condition?: ConditionSummary }
  | { state: 'not-found' }
  | { state: 'forbidden'; serverMessage: string }
  | { state: 'unauthorized'; serverMessage: string }
  | { state: 'no-status' }
  | { state: 'stale-status'; generation: number; observedGeneration: number }
  | { state: 'condition-absent'; present: ConditionSummary[] }
  | { state: 'condition-not-true'; condition: ConditionSummary }
  | { state: 'unreachable'; detail: string }
  | { state: 'api-error'; code: number; detail: string }
  /** The request was cut off by the deadline or an abort before an answer came. */
  | { state: 'no-answer' };

export async function observeObject(api: KubernetesObjectApi, target: ReadyTarget): Promise<Observation> {
  let object: KubernetesObject;
  try {
    object = await api.read({
      apiVersion: target.resource.apiVersion,
      kind: target.resource.kind,
      metadata: { name: target.name, namespace: target.namespace },
    });
  } catch (error) {
    return observationOfFailure(error);
  }
  return target.condition === undefined ? { state: 'ready' } : conditionState(object, target.condition);
}

/** Failures reading the object (or discovering its type) as observations; anything unexpected is rethrown. */
export function observationOfFailure(error: unknown): Observation {
  const failure = classifyApiFailure(error);
  if (!failure) throw error;
  switch (failure.type) {
    case 'aborted':
      return { state: 'no-answer' };
    case 'transport':
      return { state: 'unreachable', detail: failure.message };
    case 'status':
      if (failure.code === 404) return { state: 'not-found' };
      if (failure.code === 403) return { state: 'forbidden', serverMessage: failure.message };
      if (failure.code === 401) return { state: 'unauthorized', serverMessage: failure.message };
      return { state: 'api-error', code: failure.code, detail: failure.message };
  }
}

function conditionState(object: KubernetesObject, wanted: string): Observation {
  const status = (object as { status?: unknown }).status;
  if (typeof status !== 'object' || status === null || Object.keys(status).length === 0)
    return { state: 'no-status' };
  // A status written for an older spec says nothing about the current one (e.g. right after an update).
  const generation = object.metadata?.generation;
  const observedGeneration = (status as { observedGeneration?: unknown }).observedGeneration;
  if (
    typeof generation === 'number' &&
    typeof observedGeneration === 'number' &&
    observedGeneration < generation
  ) {
    return { state: 'stale-status', generation, observedGeneration };
  }
  const conditions = conditionsOf(status);
  const condition = conditions.find((c) => c.type.toLowerCase() === wanted.toLowerCase());
  if (!condition) return { state: 'condition-absent', present: conditions };
  return condition.status === 'True'
    ? { state: 'ready', condition }
    : { state: 'condition-not-true', condition };
}

function conditionsOf(status: object): ConditionSummary[] {
  const list = (status as { conditions?: unknown }).conditions;
  if (!Array.isArray(list)) return [];
  return list.flatMap((raw: unknown): ConditionSummary[] => {
    if (typeof raw !== 'object' || raw === null) return [];
    const { type, status: value, reason, message } = raw as Record<string, unknown>;
    if (typeof type !== 'string') return [];
    return [
      {
        type,
        status: typeof value === 'string' ? value : String(value),
        ...(typeof reason === 'string' && reason !== '' ? { reason } : {}),
        ...(typeof message === 'string' && message !== '' ? { message } : {}),
      },
    ];
  });
}
