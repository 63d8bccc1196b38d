/**
 * Observations in words, and which of them are the experiment's verdict and
 * which mean canary could not look.
 *
 * Error kinds (see TaskError): a resource that was seen but never became ready
 * — missing, no status, condition absent, False or Unknown, status behind the
 * spec — is a `failure`: the thing under test is not ready, and that is the
 * answer. When canary could not look — API server unreachable or erroring,
 * credentials rejected, RBAC forbidding the read, unknown resource type,
 * no kubeconfig — it is an `error` (exit code 4, retried by the task's
 * `retries`): nothing was learned about the resource.
 */
import type { ResolvedResource } from '../../k8s/resolve-resource.js';
import type { ConditionSummary, Observation } from './observe-object.js';

/** What messages name: a ReadyTarget, or the resource as written before discovery has answered. */
export interface DescribedTarget {
  resource: Pick<ResolvedResource, 'qualifiedName' | 'name' | 'group'>;
  name: string;
  namespace: string;
  condition?: string;
}

export type ObservationKind = 'failure' | 'error';

export function kindOf(observation: Observation): ObservationKind {
  switch (observation.state) {
    case 'forbidden':
    case 'unauthorized':
    case 'unreachable':
    case 'api-error':
    case 'no-answer':
      return 'error';
    default:
      return 'failure';
  }
}

/** States that polling cannot change: report at once instead of waiting out the timeout. */
export function isTerminal(observation: Observation): boolean {
  return observation.state === 'unauthorized';
}

/** `inferenceservices.serving.kserve.io "sklearn-iris" in namespace "default"`. */
export function subjectOf(target: DescribedTarget): string {
  return `${target.resource.qualifiedName} "${target.name}" in namespace "${target.namespace}"`;
}

export function describeObservation(
  observation: Observation,
  target: DescribedTarget,
  server: string,
): string {
  const { resource, name, namespace } = target;
  switch (observation.state) {
    case 'ready':
      return observation.condition
        ? `${subjectOf(target)} is ready: condition ${observation.condition.type} is True`
        : `${subjectOf(target)} exists`;
    case 'not-found':
      return `${resource.qualifiedName} "${name}" not found in namespace "${namespace}"`;
    case 'forbidden':
      return (
        `cannot get ${resource.qualifiedName} in namespace "${namespace}": forbidden ` +
        `(grant the verb "get" on resource "${resource.name}" in API group "${resource.group}"${resource.group === '' ? ' (the core group)' : ''})`
      );
    case 'unauthorized':
      return `the API server at ${server} rejected the credentials (401 Unauthorized: ${observation.serverMessage})`;
    case 'no-status':
      return `${subjectOf(target)} has no status yet (its controller has not reported on it)`;
    case 'stale-status':
      return (
        `${subjectOf(target)} has status for generation ${observation.observedGeneration} ` +
        `but is at generation ${observation.generation} (its controller has not caught up)`
      );
    case 'condition-absent': {
      const present =
        observation.present.length > 0
          ? `conditions present: ${observation.present.map((c) => `${c.type}=${c.status}`).join(', ')}`
          : 'it has no conditions yet';
      return `${subjectOf(target)} has no ${target.condition} condition (${present})`;
    }
    case 'condition-not-true':
      return `${subjectOf(target)}: condition ${observation.condition.type} is ${observation.condition.status}${explain(observation.condition)}`;
    case 'unreachable':
      return `cannot reach the Kubernetes API server at ${server}: ${observation.detail}`;
    case 'api-error':
      return `the Kubernetes API server at ${server} answered ${observation.code}: ${observation.detail}`;
    case 'no-answer':
      return `no answer from the Kubernetes API server at ${server}`;
  }
}

/** ` (reason: X; message: Y)` from the object's own condition. */
function explain(condition: ConditionSummary): string {
  const parts = [
    ...(condition.reason ? [`reason: ${condition.reason}`] : []),
    ...(condition.message ? [`message: ${condition.message}`] : []),
  ];
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}
