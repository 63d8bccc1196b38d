import type { Static, TSchema } from '@sinclair/typebox';
import type { MetricBoard } from '../metrics/metric-board.js';
import type { ExperimentEnd, LoopRecord, RolloutDecision, SloVerdict } from '../results/records.js';
import type { Diagnostic } from '../config/diagnostics.js';
import type { FixtureRecorder } from '../metrics/fixtures/fixture-recorder.js';

/**
 * A task plugin: one self-describing definition. Built-in tasks and user plugins under `plugins/`
 * share this interface; the experiment schema and `canary validate` are driven by it.
 */
export interface TaskDefinition<Input = Record<string, unknown>> {
  /** Name used in `task:`. */
  name: string;
  description: string;
  /** JSON Schema of `with`; checked before anything runs. */
  inputSchema: Record<string, unknown>;
  /** Semantic checks beyond the schema (return problems; `path` is relative to `with`). */
  check?(input: Input, context: CheckContext): TaskProblem[] | Promise<TaskProblem[]>;
  /** What the task would do, for `canary run --dry-run` (e.g. rendered queries per version), secrets redacted. */
  preview?(input: Input, context: CheckContext): Promise<unknown>;
  /** Paths below `with` holding templates the task renders when it runs (left alone at load time). */
  runTimeTemplates?: ReadonlyArray<ReadonlyArray<string>>;
  /** Metric names (or `<provider>/*`) this task can record, so SLOs on unknown metrics are flagged. */
  produces?(input: Input): string[];
  /**
   * The task can work as of a past time (it reads `context.evaluationTime`). Tasks without it act on
   * the present (send load, wait, notify) and are skipped in retrospective loops.
   */
  supportsRetrospective?: boolean;
  run(input: Input, context: TaskContext): Promise<TaskRunResult | void>;
}

export interface TaskProblem {
  severity: Diagnostic['severity'];
  /** Path below the task's `with`, e.g. ['SLOs', 'upper', 'x/y']. */
  path: Array<string | number>;
  message: string;
  hint?: string;
  /** Point at the key rather than its value (e.g. a metric name used as a map key). */
  atKey?: boolean;
  /** The value is a credential: printed excerpts show `***` in its place. */
  concealValue?: boolean;
}

export interface CheckContext {
  versions?: readonly string[];
  /** For previews of a retrospective run (`--at`, `--from/--to/--step`): the loops' past times. */
  evaluationTimes?: readonly Date[];
  experimentDir: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Everything a task may touch: no process.env, no globals. */
export interface TaskContext {
  taskId: string;
  /** 1-based loop number. */
  loop: number;
  experiment: { name: string; namespace?: string };
  /** Version names known from the experiment (may grow when tasks record more versions). */
  versions: readonly string[];
  /** Directory of the experiment file: relative paths in inputs resolve against it. */
  experimentDir: string;
  /** When the experiment's first loop started (in this or an earlier run). */
  experimentStart: Date;
  /**
   * Only in a retrospective loop (`canary run --at/--from`): the past time to evaluate as of.
   * Absent: the loop evaluates the present.
   */
  evaluationTime?: Date;
  /** Environment variables a task may read (secrets for headers); given by the caller, never global. */
  env: Readonly<Record<string, string | undefined>>;
  /** Scratch directory for this loop, shared by its tasks and removed after the loop. */
  workDir: string;
  signal: AbortSignal;
  /** Metrics of this loop: tasks record, later tasks read. */
  metrics: MetricBoard;
  /** SLO verdicts of this loop. */
  slos: SloVerdict[];
  /** Loops of this experiment so far, this one included (1 for its first loop): a comparison's look. */
  iteration: number;
  /** Loops planned (spec.maxLoops), when known: comparisons spend their alpha over them. */
  plannedLoops?: number;
  /** The previous loop of this experiment, if any (failAfter counts consecutive violations). */
  previousLoop?: LoopRecord;
  /** `canary run --no-act`: decide as usual, but change nothing in the cluster. */
  noAct?: boolean;
  /** A loop pinned under a name (relative SLOs with `baseline: {pinned: NAME}`). */
  pinnedLoop?(name: string): LoopRecord | undefined;
  /** With `canary run --record-fixtures`: where backend answers are recorded for offline replay. */
  fixtureRecorder?: FixtureRecorder;
  log(message: string): void;
}

export interface TaskRunResult {
  /** Kept (tail-bounded) in the loop record. */
  output?: string;
  /** Recorded in the loop record (the rollout task's decision). */
  decision?: RolloutDecision;
  /** End the experiment after this loop, for this reason. */
  ends?: ExperimentEnd;
}

/**
 * A task whose input type is its schema's (TypeBox `Static`), so `run`, `check`, `preview` and
 * `produces` read exactly what validation let through.
 */
export function defineTask<S extends TSchema>(
  definition: Omit<TaskDefinition<Static<S>>, 'inputSchema'> & { inputSchema: S },
): TaskDefinition<Static<S>> & { inputSchema: S } {
  return definition;
}
