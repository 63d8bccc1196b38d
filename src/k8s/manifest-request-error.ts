/**
 * Failed API requests of `k launch` and `k delete` as CanaryErrors (exit 4)
 * that say what was being done and what to do: the server unreachable, the
 * credentials rejected, or the RBAC permission that is missing.
 */
import { CanaryError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { classifyApiFailure, type ApiFailure } from './api-failure.js';
import { KubeConfigError, type KubeClient } from './kube-client.js';
import { UnknownResourceError } from './resolve-resource.js';
import { apiGroupOf, GROUP_KINDS, type GroupKind } from './manifest-types.js';

/** What a request tried: `create` a Secret named x in namespace y. */
export interface RequestSubject {
  verb: string;
  kind: GroupKind;
  namespace: string;
  name?: string;
}

/** Where the request went, for messages; absent before a kubeconfig is loaded. */
type Target = Pick<KubeClient, 'server' | 'contextName' | 'source'>;

/** A CanaryError for a failed request, or the error itself when it is not an API failure (a bug). */
export function requestError(error: unknown, subject: RequestSubject, client: Target): unknown {
  if (error instanceof CanaryError) return error;
  const failure = classifyApiFailure(error);
  if (!failure) return error;
  const { verb, kind, namespace, name } = subject;
  const resource = GROUP_KINDS[kind].resource;
  const group = apiGroupOf(kind);
  const what = `${verb} ${resource}${name !== undefined ? ` "${name}"` : ''} in namespace "${namespace}"`;
  if (failure.type === 'status' && failure.code === 403) {
    return new CanaryError(`forbidden: cannot ${what}`, {
      cause: error,
      hints: [
        `grant the verb "${verb}" on resource "${resource}" in API group "${group}"${group === '' ? ' (the core group)' : ''} in namespace "${namespace}"`,
        ...(kind === 'Role' || kind === 'RoleBinding'
          ? ['writing a Role also needs every permission it grants (RBAC escalation prevention)']
          : []),
        `the API server said: ${failure.message}`,
      ],
    });
  }
  return commonFailure(failure, `cannot ${what}`, client, error);
}

/** Discovery failing while resolving the ready tasks' resource types. */
export function discoveryError(error: unknown, client: Target): unknown {
  if (error instanceof CanaryError) return error;
  if (error instanceof UnknownResourceError) {
    return new CanaryError(
      `a ready task names a resource type the cluster does not serve: ${error.message}`,
      {
        cause: error,
        hints: ["install its CRD first, or fix the ready task's resource and group"],
      },
    );
  }
  const failure = classifyApiFailure(error);
  return failure ? commonFailure(failure, 'API discovery failed', client, error) : error;
}

function commonFailure(failure: ApiFailure, doing: string, client: Target, cause: unknown): CanaryError {
  switch (failure.type) {
    case 'aborted':
      return new CanaryError(`${doing}: no answer from the Kubernetes API server at ${client.server}`, {
        cause,
      });
    case 'transport':
      return unreachable(client, failure.message, cause);
    case 'status':
      if (failure.code === 401) {
        return new CanaryError(
          `the Kubernetes API server at ${client.server} rejected the credentials of context "${client.contextName}" (401 Unauthorized: ${failure.message})`,
          { cause, hints: ['log in again, or pick another context with --context'] },
        );
      }
      return new CanaryError(
        `${doing}: the API server answered ${failure.code}${failure.reason ? ` ${failure.reason}` : ''}: ${failure.message}`,
        { cause },
      );
  }
}

export function unreachable(client: Target, detail: string, cause?: unknown): CanaryError {
  return new CanaryError(`cannot reach the Kubernetes API server at ${client.server}: ${detail}`, {
    exitCode: ExitCode.executionError,
    cause,
    hints: [
      `context "${client.contextName}" from ${client.source}; is the cluster up? (kubectl cluster-info)`,
    ],
  });
}

/** No usable kubeconfig or context: what the user must fix before anything can be sent. */
export function kubeConfigProblem(error: unknown): unknown {
  if (!(error instanceof KubeConfigError)) return error;
  return new CanaryError(error.message, {
    exitCode: ExitCode.executionError,
    cause: error,
    hints: ['point --kubeconfig or KUBECONFIG at a kubeconfig file, and --context at one of its contexts'],
  });
}
