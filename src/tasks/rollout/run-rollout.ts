/**
 * What the rollout task does in a loop: read the target, decide from this
 * loop's verdicts, and (unless --no-act) send the merge patch. Custom resources
 * refuse strategic merge patches (415), so the patch is a JSON merge patch,
 * carrying the resourceVersion it was decided on.
 */
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { TaskError } from '../../errors.js';
import { classifyApiFailure } from '../../k8s/api-failure.js';
import { makeObjectApi } from '../../k8s/abortable-requests.js';
import type { RolloutDecision } from '../../results/records.js';
import type { TaskContext, TaskRunResult } from '../task-definition.js';
import { connect } from '../ready/run-ready.js';
import { decideRollout, type Decided } from './decide-rollout.js';
import { DEFAULT_PASSES_PER_STEP, DEFAULT_STEPS, type RolloutInput } from './rollout-input.js';
import { targetKind } from './rollout-targets.js';

const FIELD_MANAGER = 'canary-rollout';

export async function runRollout(input: RolloutInput, context: TaskContext): Promise<TaskRunResult> {
  const client = connect(context.env);
  const namespace = input.target.namespace ?? context.experiment.namespace ?? client.namespace;
  const kind = targetKind(input.target, namespace);
  const api = makeObjectApi(client, context.signal);
  const previous = context.previousLoop?.tasks.find((t) => t.id === context.taskId)?.decision;

  const reading = await kind.read(api, previous).catch((error: unknown) => {
    throw requestFailure(`cannot read ${kind.subject}`, error, client.server);
  });
  // Not a rollout canary can carry out (e.g. two LLMInferenceServices in different groups): the user's to fix.
  if ('problem' in reading) throw new TaskError(reading.problem, 'error');
  const { position } = reading;
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
    ...(previous ? { previous } : {}),
    loop: context.loop,
    now: new Date(),
    rollbackTo: reading.rollbackTo,
  });
  const carried = {
    ...(position.resourceVersion !== undefined ? { resourceVersion: position.resourceVersion } : {}),
    ...(reading.startWeight !== undefined ? { startWeight: reading.startWeight } : {}),
  };
  if (decided.action === 'hold') return result({ ...decided, acted: false, ...carried }, context);

  const planned = kind.plan(decided, reading);
  const patch = { type: PatchStrategy.MergePatch, body: planned.body };
  if (context.noAct) {
    context.log(`--no-act: would patch ${planned.ref.metadata.name} with ${JSON.stringify(planned.body)}`);
    return result({ ...decided, acted: false, patch, ...carried }, context);
  }
  let patched: KubernetesObject;
  try {
    patched = await api.patch(
      { ...planned.ref, ...planned.body, metadata: { ...planned.ref.metadata, ...planned.body.metadata } },
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
          why: `${kind.subject} changed while canary was patching it (409 Conflict); holding, never overriding a person's change`,
          driftSince: context.loop,
          ...carried,
        },
        context,
      );
    }
    throw requestFailure(`cannot patch ${kind.subject}`, error, client.server);
  }
  const after = kind.after(patched, reading, planned);
  // The audit trail: every change with its before and after.
  context.log(
    `patched ${kind.subject}: ${planned.field} ${planned.before} -> ${after.afterText}, ` +
      `resourceVersion ${position.resourceVersion ?? '?'} -> ${after.resourceVersion ?? '?'}`,
  );
  return result(
    {
      ...decided,
      to: after.to,
      acted: true,
      patch,
      ...carried,
      ...(after.resourceVersion !== undefined ? { resourceVersion: after.resourceVersion } : {}),
    },
    context,
  );
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
      ? `the API server at ${server} answered ${failure.code}: ${failure.message}${failure.code === 403 ? ' (grant the verbs get and patch on these objects)' : ''}`
      : failure.type === 'transport'
        ? `cannot reach the API server at ${server}: ${failure.message}`
        : 'the request was interrupted';
  return new TaskError(`${what}: ${detail}`, 'error', { cause: error });
}
