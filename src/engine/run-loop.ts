import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TaskError, errorMessage } from '../errors.js';
import { MetricBoard } from '../metrics/metric-board.js';
import { versionName } from '../config/experiment.js';
import {
  cleanTemplateError,
  conditionContext,
  createTemplateEnvironment,
  evaluateCondition,
} from '../config/expressions.js';
import type { Plan, PlannedTask } from '../plan/plan.js';
import type { TaskRegistry } from '../tasks/registry.js';
import type { LoopRecord, LoopStatus, SloVerdict, TaskOutcome, TaskStatus } from '../results/records.js';
import { emit, type RunObserver } from './events.js';
import { runTaskWithPolicy } from './run-task.js';
import type { FixtureRecorder } from '../metrics/fixtures/fixture-recorder.js';

export interface LoopOptions {
  plan: Plan;
  registry: TaskRegistry;
  loop: number;
  experimentHash: string;
  experimentDir: string;
  values: Record<string, unknown>;
  signal: AbortSignal;
  observers: readonly RunObserver[];
  skippedTicks?: string[];
  /** Start of the experiment (its first loop, possibly in an earlier run). */
  experimentStart: Date;
  /** Environment variables tasks may read; empty unless the caller passes them. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Loops of this experiment so far, this one included; default: the loop number. */
  iteration?: number;
  /** The previous loop of this experiment, if any. */
  previousLoop?: LoopRecord;
  pinnedLoop?: (name: string) => LoopRecord | undefined;
  /** Given to tasks: records backend answers as fixtures (`--record-fixtures`). */
  fixtureRecorder?: FixtureRecorder;
  /**
   * A retrospective loop: tasks evaluate as of this past time, and tasks that act on the present
   * (no `supportsRetrospective`) are skipped.
   */
  evaluationTime?: Date;
  /** `--no-act`: tasks that change the cluster decide but do not act. */
  noAct?: boolean;
}

const settled: ReadonlySet<TaskStatus> = new Set([
  'completed',
  'skipped',
  'failed',
  'error',
  'not-run',
  'interrupted',
]);
const satisfies: ReadonlySet<TaskStatus> = new Set(['completed', 'skipped']);

/**
 * Run every task of the plan once. A task starts as soon as all it needs are done (bounded by
 * `plan.concurrency`); when a task fails, what depends on it does not run. Every loop starts from a
 * clean state: nothing carries over from the previous loop.
 */
export async function runLoop(options: LoopOptions): Promise<LoopRecord> {
  const { plan, loop, signal, observers } = options;
  const start = new Date();
  const evaluationTime = options.evaluationTime;
  await emit(observers, {
    type: 'loop-start',
    loop,
    at: start,
    ...(evaluationTime ? { evaluationTime } : {}),
  });
  const metrics = new MetricBoard();
  const slos: SloVerdict[] = [];
  const outcomes = new Map<string, TaskOutcome>();
  const workDir = await mkdtemp(path.join(os.tmpdir(), `canary-${plan.experiment.name}-loop${loop}-`));
  const conditions = createTemplateEnvironment();
  const running = new Map<string, Promise<void>>();

  const finishTask = async (outcome: TaskOutcome) => {
    outcomes.set(outcome.id, outcome);
    await emit(observers, { type: 'task-end', loop, outcome });
  };

  const startTask = (task: PlannedTask): Promise<void> => {
    const definition = options.registry.get(task.task);
    const began = new Date();
    let attempts = 0;
    const work = (async () => {
      await emit(observers, { type: 'task-start', loop, id: task.id, task: task.task, at: began });
      const base = { id: task.id, task: task.task, start: began.toISOString() };
      const timing = () => {
        const end = new Date();
        return { end: end.toISOString(), durationMs: end.getTime() - began.getTime(), attempts };
      };
      if (!definition) {
        await finishTask({ ...base, status: 'error', ...timing(), message: `unknown task ${task.task}` });
        return;
      }
      try {
        const result = await runTaskWithPolicy(
          definition,
          task,
          {
            taskId: task.id,
            loop,
            experiment: plan.experiment,
            versions: versionNames(plan, metrics),
            experimentDir: options.experimentDir,
            experimentStart: options.experimentStart,
            ...(evaluationTime ? { evaluationTime } : {}),
            env: options.env ?? {},
            workDir,
            metrics,
            slos,
            iteration: options.iteration ?? loop,
            ...(plan.maxLoops !== undefined ? { plannedLoops: plan.maxLoops } : {}),
            ...(options.previousLoop ? { previousLoop: options.previousLoop } : {}),
            ...(options.pinnedLoop ? { pinnedLoop: options.pinnedLoop } : {}),
            ...(options.fixtureRecorder ? { fixtureRecorder: options.fixtureRecorder } : {}),
            ...(options.noAct ? { noAct: true } : {}),
            log: (message) => void emit(observers, { type: 'task-log', loop, id: task.id, message }),
          },
          signal,
          (attempt) => (attempts = attempt),
        );
        await finishTask({
          ...base,
          status: 'completed',
          ...timing(),
          ...(result?.output ? { output: result.output } : {}),
          ...(result?.decision ? { decision: result.decision } : {}),
          ...(result?.ends ? { ends: result.ends } : {}),
        });
      } catch (error) {
        const status: TaskStatus = signal.aborted
          ? 'interrupted'
          : error instanceof TaskError && error.kind === 'failure'
            ? 'failed'
            : 'error';
        await finishTask({ ...base, status, ...timing(), message: errorMessage(error) });
      }
    })();
    running.set(task.id, work);
    return work.finally(() => running.delete(task.id));
  };

  try {
    let pending = [...plan.tasks];
    while (pending.length > 0 || running.size > 0) {
      const still: PlannedTask[] = [];
      for (const task of pending) {
        const needs = task.needs.map((id) => outcomes.get(id));
        if (signal.aborted) {
          await finishTask({
            id: task.id,
            task: task.task,
            status: 'not-run',
            message: 'the loop was interrupted',
          });
        } else if (needs.some((o) => o === undefined || !settled.has(o.status))) {
          still.push(task);
        } else if (needs.some((o) => !satisfies.has(o!.status))) {
          const blocker = needs.find((o) => !satisfies.has(o!.status))!;
          await finishTask({
            id: task.id,
            task: task.task,
            status: 'not-run',
            message: `needs ${blocker.id}, which ${describeStatus(blocker.status)}`,
          });
        } else if (evaluationTime && actsOnPresent(task, options.registry)) {
          await finishTask({
            id: task.id,
            task: task.task,
            status: 'skipped',
            message: `retrospective loop (evaluating ${evaluationTime.toISOString()}): the ${task.task} task acts on the present, so it does not run`,
          });
        } else if (running.size >= plan.concurrency) {
          still.push(task);
        } else {
          const condition = checkCondition(
            task,
            conditions,
            conditionContext(options.values, loop, { slos, tasks: [...outcomes.values()] }),
          );
          if (condition === true) void startTask(task);
          else
            await finishTask({
              id: task.id,
              task: task.task,
              status: condition === false ? 'skipped' : 'error',
              message: condition === false ? `condition is false: ${task.if}` : condition,
            });
        }
      }
      const progressed = still.length < pending.length;
      pending = still;
      if (running.size > 0) await Promise.race(running.values());
      else if (!progressed && pending.length > 0) {
        // Unreachable for validated plans (no cycles, known ids); guard against a hang all the same.
        for (const task of pending)
          await finishTask({
            id: task.id,
            task: task.task,
            status: 'not-run',
            message: 'dependencies can never be met',
          });
        pending = [];
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  const end = new Date();
  const versions = versionNames(plan, metrics);
  const distributions = metrics.distributionsRecord();
  const info = Object.fromEntries([...metrics.info.entries()].sort(([a], [b]) => a.localeCompare(b)));
  const record: LoopRecord = {
    kind: 'loop',
    loop,
    experimentHash: options.experimentHash,
    experimentStart: options.experimentStart.toISOString(),
    iteration: options.iteration ?? loop,
    start: start.toISOString(),
    end: end.toISOString(),
    durationMs: end.getTime() - start.getTime(),
    status: loopStatus([...outcomes.values()], signal.aborted),
    ...(options.skippedTicks && options.skippedTicks.length > 0
      ? { skippedTicks: options.skippedTicks }
      : {}),
    ...(evaluationTime ? { retrospective: { at: evaluationTime.toISOString() } } : {}),
    versions,
    tasks: plan.tasks.map((t) => outcomes.get(t.id)!),
    metrics: metrics.toJSON(versions.length),
    ...(Object.keys(info).length > 0 ? { metricInfo: info } : {}),
    slos,
    ...(distributions.some((perMetric) => Object.keys(perMetric).length > 0) ? { distributions } : {}),
  };
  await emit(observers, { type: 'loop-end', record });
  return record;
}

/** A known task that cannot evaluate a past time (an unknown one is left to fail as unknown). */
function actsOnPresent(task: PlannedTask, registry: TaskRegistry): boolean {
  const definition = registry.get(task.task);
  return definition !== undefined && definition.supportsRetrospective !== true;
}

/** true/false, or why the condition could not be evaluated (that is an error, never a guess). */
export function checkCondition(
  task: PlannedTask,
  environment: ReturnType<typeof createTemplateEnvironment>,
  context: object,
): boolean | string {
  if (task.if === undefined) return true;
  try {
    return evaluateCondition(environment, task.if, context);
  } catch (error) {
    return `condition ${JSON.stringify(task.if)} could not be evaluated: ${cleanTemplateError(error)}`;
  }
}

function versionNames(plan: Plan, metrics: MetricBoard): string[] {
  const count = Math.max(plan.versions.length, metrics.versionCount, 1);
  return Array.from({ length: count }, (_, i) => versionName(plan.versions, i));
}

export function loopStatus(outcomes: TaskOutcome[], interrupted: boolean): LoopStatus {
  if (interrupted || outcomes.some((o) => o.status === 'interrupted')) return 'interrupted';
  if (outcomes.some((o) => o.status === 'error')) return 'error';
  if (outcomes.some((o) => o.status === 'failed')) return 'failed';
  return 'completed';
}

export function describeStatus(status: TaskStatus): string {
  switch (status) {
    case 'failed':
      return 'failed';
    case 'error':
      return 'could not run';
    case 'not-run':
      return 'did not run';
    default:
      return `was ${status}`;
  }
}
