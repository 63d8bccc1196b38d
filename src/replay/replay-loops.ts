/**
 * Replay: the experiment's assess tasks judged again on the metric values a result file recorded,
 * loop by loop, with nothing queried. Other tasks keep the outcome they had in the recorded loop.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TaskError, errorMessage } from '../errors.js';
import { conditionContext, createTemplateEnvironment } from '../config/expressions.js';
import { checkCondition, describeStatus, loopStatus } from '../engine/run-loop.js';
import type { Plan, PlannedTask } from '../plan/plan.js';
import type { TaskRegistry } from '../tasks/registry.js';
import type { LoopRecord, SloVerdict, TaskOutcome, TaskStatus } from '../results/records.js';
import type { ResultHistory } from '../results/result-file.js';
import { isInvalid, pinnedLoop } from '../results/marks.js';
import { rebuildMetricBoard } from './rebuild-board.js';

export interface ReplayInput {
  plan: Plan;
  registry: TaskRegistry;
  /** Hash of the experiment replayed, written into the replayed loops. */
  experimentHash: string;
  experimentDir: string;
  values: Record<string, unknown>;
  env: Readonly<Record<string, string | undefined>>;
  history: ResultHistory;
}

export interface ReplayedLoop {
  recorded: LoopRecord;
  replayed: LoopRecord;
}

/** Tasks that judge SLOs: the only ones a replay runs. */
export const replayedTaskName = 'assess';

const satisfies: ReadonlySet<TaskStatus> = new Set(['completed', 'skipped']);

/**
 * Every valid loop of the file, oldest first, so failAfter streaks and alpha spending replay as they
 * ran: each loop's look number is the one it was recorded with (the data window it measured restarts
 * with each experiment segment, and so does its count), and its previous loop is the previous
 * *replayed* loop of the same recorded segment, so streaks come from the new verdicts.
 * Loops marked invalid are skipped, as comparisons skip them.
 */
export async function replayLoops(input: ReplayInput): Promise<ReplayedLoop[]> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), `canary-replay-${input.plan.experiment.name}-`));
  try {
    const replayed: ReplayedLoop[] = [];
    for (const recorded of input.history.loops) {
      if (isInvalid(input.history, recorded.loop)) continue;
      const previous = replayed.at(-1);
      const previousLoop =
        previous && previous.recorded.experimentHash === recorded.experimentHash
          ? previous.replayed
          : undefined;
      replayed.push({ recorded, replayed: await replayLoop(input, recorded, previousLoop, workDir) });
    }
    return replayed;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function replayLoop(
  input: ReplayInput,
  recorded: LoopRecord,
  previousLoop: LoopRecord | undefined,
  workDir: string,
): Promise<LoopRecord> {
  const { plan } = input;
  const metrics = rebuildMetricBoard(recorded);
  const slos: SloVerdict[] = [];
  const outcomes = new Map<string, TaskOutcome>();
  const conditions = createTemplateEnvironment();
  const versions =
    recorded.versions.length > 0 ? recorded.versions : plan.versions.length > 0 ? plan.versions : [];
  const signal = new AbortController().signal;

  const runAssess = async (task: PlannedTask): Promise<TaskOutcome> => {
    const base = { id: task.id, task: task.task };
    const definition = input.registry.get(task.task);
    if (!definition) return { ...base, status: 'error', message: `unknown task ${task.task}` };
    const blocker = task.needs.map((id) => outcomes.get(id)!).find((o) => !satisfies.has(o.status));
    if (blocker)
      return {
        ...base,
        status: 'not-run',
        message: `needs ${blocker.id}, which ${describeStatus(blocker.status)}`,
      };
    const condition = checkCondition(
      task,
      conditions,
      conditionContext(input.values, recorded.loop, { slos, tasks: [...outcomes.values()] }),
    );
    if (condition !== true) {
      return condition === false
        ? { ...base, status: 'skipped', message: `condition is false: ${task.if}` }
        : { ...base, status: 'error', message: condition };
    }
    try {
      await definition.run(task.with as never, {
        taskId: task.id,
        loop: recorded.loop,
        experiment: plan.experiment,
        versions,
        experimentDir: input.experimentDir,
        experimentStart: new Date(recorded.experimentStart),
        env: input.env,
        workDir,
        signal,
        metrics,
        slos,
        iteration: recorded.iteration ?? recorded.loop,
        ...(plan.maxLoops !== undefined ? { plannedLoops: plan.maxLoops } : {}),
        ...(previousLoop ? { previousLoop } : {}),
        pinnedLoop: (name) => pinnedLoop(input.history, name),
        log: () => {},
      });
      return { ...base, status: 'completed' };
    } catch (error) {
      const status = error instanceof TaskError && error.kind === 'failure' ? 'failed' : 'error';
      return { ...base, status, message: errorMessage(error) };
    }
  };

  // In dependency order: an assess task's `if:` sees the tasks before it, other tasks as recorded.
  let pending = [...plan.tasks];
  while (pending.length > 0) {
    const still: PlannedTask[] = [];
    for (const task of pending) {
      if (task.needs.some((id) => !outcomes.has(id))) still.push(task);
      else if (task.task !== replayedTaskName) outcomes.set(task.id, recordedOutcome(recorded, task));
      else outcomes.set(task.id, await runAssess(task));
    }
    if (still.length === pending.length) {
      for (const task of still)
        outcomes.set(task.id, {
          id: task.id,
          task: task.task,
          status: 'not-run',
          message: 'dependencies can never be met',
        });
      break;
    }
    pending = still;
  }

  const tasks = plan.tasks.map((task) => outcomes.get(task.id)!);
  return {
    ...recorded,
    experimentHash: input.experimentHash,
    versions,
    tasks,
    slos,
    status: loopStatus(tasks, recorded.status === 'interrupted'),
  };
}

/**
 * A task other than assess is not run again: it keeps what it did in the recorded loop. One the
 * recording lacks (added since) counts as skipped, so adding a task does not fail the replay.
 */
function recordedOutcome(recorded: LoopRecord, task: PlannedTask): TaskOutcome {
  return (
    recorded.tasks.find((outcome) => outcome.id === task.id) ?? {
      id: task.id,
      task: task.task,
      status: 'skipped',
      message: 'not in the recorded loop (replay runs only assess tasks)',
    }
  );
}
