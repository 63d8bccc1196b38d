/**
 * What the rollout task does in a loop: read the InferenceService, decide from
 * this loop's verdicts, and (unless --no-act) send the merge patch. Custom
 * resources refuse strategic merge patches (415), so the patch is a JSON merge
 * patch, carrying the resourceVersion it was decided on.
 */
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { TaskError } from '../../errors.js';
import { classifyApiFailure } from '../../k8s/api-failure.js';
import { makeObjectApi } from '../../k8s/abortable-requests.js';
import type { RolloutDecision } from '../../results/records.js';
import type { TaskContext, TaskRunResult } from '../task-definition.js';
import { connect } from '../ready/run-ready.js';
import { decideRollout, type Decided } from './decide-rollout.js';
import { canaryPatch, INFERENCE_SERVICE, trafficPosition } from './inference-service-traffic.js';
import { DEFAULT_PASSES_PER_STEP, DEFAULT_STEPS, type RolloutInput } from './rollout-input.js';

const FIELD_MANAGER = 'canary-rollout';

export async function runRollout(input: RolloutInput, context: TaskContext): Promise<TaskRunResult> {
  const client = connect(context.env);
  const namespace = input.target.namespace ?? context.experiment.namespace ?? client.namespace;
  const subject = `inferenceservices.serving.kserve.io "${input.target.name}" in namespace "${namespace}"`;
  const api = makeObjectApi(client, context.signal);
  const ref = { ...INFERENCE_SERVICE, metadata: { name: input.target.name, namespace } };

  const object = await api.read(ref).catch((error: unknown) => {
    throw requestFailure(`cannot read ${subject}`, error, client.server);
  });
  const position = trafficPosition(object);
  const decided = decideRollout({
    policy: {
      steps: input.steps ?? DEFAULT_STEPS,
      passesPerStep: input.passesPerStep ?? DEFAULT_PASSES_PER_STEP,
      onFailure: input.onFailure ?? 'rollback',
      ...(input.maxStepsPerHour !== undefined ? { maxStepsPerHour: input.maxStepsPerHour } : {}),
    },
    position,
    verdicts: context.slos,
    versions: context.versions,
    ...previousOf(context),
    loop: context.loop,
    now: new Date(),
  });
  const version = position.resourceVersion !== undefined ? { resourceVersion: position.resourceVersion } : {};
  if (decided.action === 'hold') return result({ ...decided, acted: false, ...version }, context);

  const body = canaryPatch(decided.action === 'promote' ? null : decided.to, position.resourceVersion);
  const patch = { type: PatchStrategy.MergePatch, body };
  if (context.noAct) {
    context.log(`--no-act: would patch ${subject} with ${JSON.stringify(body)}`);
    return result({ ...decided, acted: false, patch, ...version }, context);
  }
  let patched: KubernetesObject;
  try {
    patched = await api.patch(
      { ...ref, ...body, metadata: { ...ref.metadata, ...body.metadata } },
      undefined,
      undefined,
      FIELD_MANAGER,
      undefined,
      PatchStrategy.MergePatch,
    );
  } catch (error) {
    const failure = classifyApiFailure(error);
    if (failure?.type === 'status' && failure.code === 409) {
      // Changed between our read and our patch: someone else is steering. Hold, do not retry.
      return result(
        {
          ...decided,
          action: 'hold',
          to: decided.from,
          passes: 0,
          acted: false,
          why: `${subject} changed while canary was patching it (409 Conflict); holding, never overriding a person's change`,
          driftSince: context.loop,
          ...version,
        },
        context,
      );
    }
    throw requestFailure(`cannot patch ${subject}`, error, client.server);
  }
  const after = trafficPosition(patched);
  // The audit trail: every change with its before and after.
  context.log(
    `patched ${subject}: canaryTrafficPercent ${position.inCanary ? position.percent : '(unset)'} -> ` +
      `${after.inCanary ? after.percent : '(unset)'}, resourceVersion ${position.resourceVersion ?? '?'} -> ${after.resourceVersion ?? '?'}`,
  );
  return result(
    {
      ...decided,
      acted: true,
      patch,
      ...(after.resourceVersion !== undefined ? { resourceVersion: after.resourceVersion } : {}),
    },
    context,
  );
}

/** This task's decision in the previous loop (from this run or, after a restart, the result file). */
function previousOf(context: TaskContext): { previous?: RolloutDecision } {
  const decision = context.previousLoop?.tasks.find((t) => t.id === context.taskId)?.decision;
  return decision ? { previous: decision } : {};
}

function result(decision: RolloutDecision & Decided, context: TaskContext): TaskRunResult {
  const summary = `${decision.action} (${decision.from}% -> ${decision.to}%): ${decision.why}`;
  context.log(summary);
  // --no-act changes nothing, so nothing has ended: a trial keeps looping.
  const ends =
    decision.acted && decision.action === 'promote'
      ? 'promoted'
      : decision.acted && decision.action === 'rollback'
        ? 'rolled-back'
        : undefined;
  return { output: summary, decision, ...(ends ? { ends } : {}) };
}

function requestFailure(what: string, error: unknown, server: string): TaskError {
  const failure = classifyApiFailure(error);
  if (!failure) return new TaskError(`${what}: ${String(error)}`, 'error', { cause: error });
  const detail =
    failure.type === 'status'
      ? `the API server at ${server} answered ${failure.code}: ${failure.message}${failure.code === 403 ? ' (grant the verbs get and patch on this InferenceService)' : ''}`
      : failure.type === 'transport'
        ? `cannot reach the API server at ${server}: ${failure.message}`
        : 'the request was interrupted';
  return new TaskError(`${what}: ${detail}`, 'error', { cause: error });
}
