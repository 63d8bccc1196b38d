/**
 * Polls the object with capped exponential backoff until it is ready or the
 * timeout passes, then reports the last state it saw. Every request is bound
 * to the deadline and to the caller's signal, so neither a hung API server
 * nor an abort can hold the task past them.
 */
import pRetry, { AbortError } from 'p-retry';
import { TaskError } from '../../errors.js';
import { makeObjectApi, untilAborted } from '../../k8s/abortable-requests.js';
import type { KubeClient } from '../../k8s/kube-client.js';
import { resolveResource, UnknownResourceError, type ResourceQuery } from '../../k8s/resolve-resource.js';
import { formatDuration } from '../../util/duration.js';
import { describeObservation, isTerminal, kindOf, type DescribedTarget } from './describe-observation.js';
import { observationOfFailure, observeObject, type Observation, type ReadyTarget } from './observe-object.js';

/** First pause between polls; doubles up to MAX_INTERVAL_MS so a late readiness is seen within seconds. */
const FIRST_INTERVAL_MS = 250;
const MAX_INTERVAL_MS = 5_000;

export interface WaitOptions {
  client: KubeClient;
  query: ResourceQuery;
  name: string;
  namespace: string;
  condition?: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Told each time the observed state changes (in words), e.g. for the task log. */
  onChange?(description: string, observation: Observation): void;
}

export interface WaitResult {
  target: ReadyTarget;
  observation: Observation;
  attempts: number;
  elapsedMs: number;
}

class NotReady extends Error {
  constructor(readonly observation: Observation) {
    super(observation.state);
  }
}

export async function waitUntilReady(options: WaitOptions): Promise<WaitResult> {
  const { client, query, name, namespace, condition } = options;
  const started = performance.now();
  const deadline = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  const api = makeObjectApi(client, deadline);
  let target: ReadyTarget | undefined;
  let last: Observation | undefined;
  let lastDescription = '';
  let attempts = 0;

  // Until discovery has answered, messages name the resource as the user wrote it.
  const provisional: DescribedTarget = {
    resource: {
      name: query.resource,
      group: query.group ?? '',
      qualifiedName: query.group ? `${query.resource}.${query.group}` : query.resource,
    },
    name,
    namespace,
    ...(condition !== undefined ? { condition } : {}),
  };
  const describe = (observation: Observation) =>
    describeObservation(observation, target ?? provisional, client.server);

  const record = (observation: Observation): Observation => {
    // A request cut off by the deadline saw nothing: keep what the previous one saw.
    if (observation.state === 'no-answer' && last) return last;
    last = observation;
    const description = describe(observation);
    if (description !== lastDescription) {
      lastDescription = description;
      options.onChange?.(description, observation);
    }
    return observation;
  };

  const attempt = async (): Promise<Observation> => {
    attempts += 1;
    if (!target) {
      try {
        const resource = await untilAborted(resolveResource(client, query, deadline), deadline);
        target = { resource, name, namespace, ...(condition !== undefined ? { condition } : {}) };
      } catch (error) {
        // An unknown type will not appear by waiting (kubectl fails at once too).
        if (error instanceof UnknownResourceError) throw new AbortError(error);
        throw new NotReady(record(observationOfFailure(error)));
      }
    }
    const seen = await untilAborted(observeObject(api, target), deadline).catch(observationOfFailure);
    const observation = record(seen);
    if (observation.state !== 'ready') throw new NotReady(observation);
    return observation;
  };

  try {
    const observation = await pRetry(attempt, {
      retries: Number.POSITIVE_INFINITY,
      factor: 2,
      minTimeout: FIRST_INTERVAL_MS,
      maxTimeout: MAX_INTERVAL_MS,
      maxRetryTime: options.timeoutMs,
      signal: options.signal,
      shouldRetry: ({ error }) => error instanceof NotReady && !isTerminal(error.observation),
    });
    return { target: target!, observation, attempts, elapsedMs: performance.now() - started };
  } catch (error) {
    if (options.signal.aborted) throw new TaskError('interrupted', 'error', { cause: error });
    if (error instanceof UnknownResourceError) throw new TaskError(error.message, 'error', { cause: error });
    if (!(error instanceof NotReady)) throw error;
    const seen = last ?? error.observation;
    const kind = kindOf(seen);
    if (isTerminal(seen)) throw new TaskError(describe(seen), kind);
    const within = formatDuration(options.timeoutMs);
    const lead =
      kind === 'failure' ? `not ready within ${within}` : `could not check readiness within ${within}`;
    throw new TaskError(`${lead}: ${describe(seen)}`, kind);
  }
}
