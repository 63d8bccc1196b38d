import { nextTick } from '../config/cron.js';
import type { Plan } from '../plan/plan.js';
import type { TaskRegistry } from '../tasks/registry.js';
import type { EndRecord, LoopRecord } from '../results/records.js';
import { emit, type RunObserver } from './events.js';
import { runLoop } from './run-loop.js';
import type { FixtureRecorder } from '../metrics/fixtures/fixture-recorder.js';

export interface ExperimentRunOptions {
  plan: Plan;
  registry: TaskRegistry;
  experimentHash: string;
  experimentDir: string;
  values?: Record<string, unknown>;
  /** Number of the first loop (continuing an existing result file). */
  firstLoop: number;
  /** Start of the experiment when continuing one; default: when this run's first loop starts. */
  experimentStart?: Date;
  env?: Readonly<Record<string, string | undefined>>;
  /** Loops to run; default: maxLoops with a schedule (unbounded without it), else one. */
  loops?: number;
  /** The latest loop of this experiment recorded before this run (failAfter streaks, iteration). */
  previousLoop?: LoopRecord;
  pinnedLoop?: (name: string) => LoopRecord | undefined;
  /**
   * A retrospective run: one loop per time, in order, each evaluated as of its time, back to back.
   * The schedule, maxLoops and `loops` do not apply; the experiment start defaults to the first time.
   */
  evaluationTimes?: readonly Date[];
  signal: AbortSignal;
  observers: readonly RunObserver[];
  /** Records backend answers as fixtures (`--record-fixtures`); the last loop's are kept. */
  fixtureRecorder?: FixtureRecorder;
  /** `--no-act`: tasks that change the cluster decide but do not act. */
  noAct?: boolean;
}

export interface ExperimentRunOutcome {
  loops: LoopRecord[];
  reason: EndRecord['reason'];
}

/**
 * Run loops: back to back without a schedule; with one, the first loop at once and each next loop
 * at the first cron tick after the previous loop ended. Loops never overlap: ticks that pass while a
 * loop runs are skipped and recorded in the next loop. A retrospective run has nothing to wait
 * for: its loops, one per evaluation time, run back to back.
 */
export async function runExperiment(options: ExperimentRunOptions): Promise<ExperimentRunOutcome> {
  const { plan, signal, observers, evaluationTimes } = options;
  const limit =
    evaluationTimes?.length ??
    options.loops ??
    plan.maxLoops ??
    (plan.schedule ? Number.POSITIVE_INFINITY : 1);
  const loops: LoopRecord[] = [];
  await emit(observers, { type: 'experiment-start', plan, firstLoop: options.firstLoop });
  let skippedTicks: string[] = [];
  const experimentStart = options.experimentStart ?? evaluationTimes?.[0] ?? new Date();
  let reason: EndRecord['reason'] =
    !evaluationTimes && options.loops === undefined && plan.maxLoops !== undefined ? 'max-loops' : 'done';
  while (loops.length < limit) {
    if (signal.aborted) {
      reason = 'interrupted';
      break;
    }
    const previousLoop = loops.at(-1) ?? options.previousLoop;
    const record = await runLoop({
      plan,
      registry: options.registry,
      loop: options.firstLoop + loops.length,
      experimentHash: options.experimentHash,
      experimentDir: options.experimentDir,
      values: options.values ?? {},
      signal,
      observers,
      skippedTicks,
      experimentStart,
      iteration: nextIteration(previousLoop, options.experimentHash),
      ...(previousLoop ? { previousLoop } : {}),
      ...(options.pinnedLoop ? { pinnedLoop: options.pinnedLoop } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.fixtureRecorder ? { fixtureRecorder: options.fixtureRecorder } : {}),
      ...(options.noAct ? { noAct: true } : {}),
      ...(evaluationTimes ? { evaluationTime: evaluationTimes[loops.length]! } : {}),
    });
    loops.push(record);
    if (record.status === 'interrupted' || signal.aborted) {
      reason = 'interrupted';
      break;
    }
    // A rollout that promoted or rolled back has finished the experiment.
    const ended = record.tasks.find((t) => t.ends !== undefined)?.ends;
    if (ended) {
      reason = ended;
      break;
    }
    if (loops.length >= limit) break;
    if (plan.schedule && !evaluationTimes) {
      const { next, missed } = ticksAfter(plan.schedule, new Date(record.start), new Date(record.end));
      skippedTicks = missed;
      await emit(observers, { type: 'wait', loop: record.loop + 1, until: next });
      await sleepUntil(next, signal);
    }
  }
  await emit(observers, { type: 'experiment-end', reason, loops: loops.length });
  return { loops, reason };
}

/** 1 for a new experiment; records older than `iteration` count from their loop number. */
function nextIteration(previous: LoopRecord | undefined, experimentHash: string): number {
  if (!previous || previous.experimentHash !== experimentHash) return 1;
  return (previous.iteration ?? previous.loop) + 1;
}

/** The tick to run next, and the ticks that fell while the loop ran (skipped, never queued). */
export function ticksAfter(
  schedule: string,
  loopStart: Date,
  loopEnd: Date,
): { next: Date; missed: string[] } {
  const missed: string[] = [];
  let tick = nextTick(schedule, loopStart);
  while (tick.getTime() <= loopEnd.getTime()) {
    missed.push(tick.toISOString());
    tick = nextTick(schedule, tick);
  }
  return { next: tick, missed };
}

/** Node fires a longer timer after 1 ms (a TimeoutOverflowWarning); a longer wait is made of several. */
const maxTimerDelay = 2 ** 31 - 1;

function sleepUntil(when: Date, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    let timer: NodeJS.Timeout | undefined;
    // Re-arm until the wall clock reaches `when`: a timer may fire a little early, and a loop that
    // starts before its tick would count that tick as its next one and run it twice.
    const arm = () => {
      const remaining = when.getTime() - Date.now();
      if (remaining <= 0) return done();
      timer = setTimeout(arm, Math.min(remaining, maxTimerDelay));
    };
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
    arm();
  });
}
