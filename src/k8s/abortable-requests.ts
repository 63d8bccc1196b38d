/**
 * Ties client-node requests to an AbortSignal. The generated API clients take
 * no signal, but every request passes through middleware, where one can be set
 * on the request context (node-fetch then aborts the connection).
 */
import {
  createConfiguration,
  KubernetesObjectApi,
  Observable,
  ServerConfiguration,
  type ConfigurationOptions,
  type ObservableMiddleware,
} from '@kubernetes/client-node';
import type { KubeClient } from './kube-client.js';

function signalMiddleware(signal: AbortSignal): ObservableMiddleware {
  return {
    pre: (context) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

/** Per-call options for the typed APIs (CoreV1Api, CustomObjectsApi, ...): abort with `signal`. */
export function abortableOptions(signal: AbortSignal): ConfigurationOptions {
  return { middleware: [signalMiddleware(signal)], middlewareMergeStrategy: 'append' };
}

/**
 * A generic object client whose every request — including the discovery it
 * does itself — is aborted with `signal`. (KubernetesObjectApi ignores
 * per-call middleware, so the signal goes into its configuration.)
 */
export function makeObjectApi(client: KubeClient, signal: AbortSignal): KubernetesObjectApi {
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration<Record<string, string>>(client.server, {}),
    authMethods: { default: client.config },
    middleware: [signalMiddleware(signal)],
  });
  return new KubernetesObjectApi(configuration);
}

/**
 * `promise`, or a rejection named AbortError as soon as `signal` aborts — for
 * work that might not honour the signal itself (an exec credential plugin, a
 * client path without middleware), so a caller's deadline always holds.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The work was already started by the caller: its rejection still needs a handler.
    promise.catch(() => undefined);
    return Promise.reject(abortError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function abortError(): Error {
  const error = new Error('the request was aborted');
  error.name = 'AbortError';
  return error;
}
