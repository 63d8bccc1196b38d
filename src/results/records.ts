import type { MetricInfo, MetricValue, RecordedBin } from '../metrics/metric-board.js';
import type { LoopSummary } from './cluster-store-summary.js';
import type { Experiment } from '../config/experiment.js';

/** The result file format: JSON lines, a header then one record per loop, appended. */
export const resultFormat = 'canary.result/v1';

export type SloOperator = '<=' | '>=';
/**
 * The judgement of one SLO for one version in one loop, before any policy:
 * pass / fail; nodata (the metric, or the baseline's, has no value); insufficient-data (fewer samples
 * than `minSamples`); inconclusive (a statistical comparison could not decide).
 */
export type SloStatus = 'pass' | 'fail' | 'nodata' | 'insufficient-data' | 'inconclusive';
/** How a verdict counts for the exit code once onNoData, mode and failAfter are applied. */
export type SloGate = 'pass' | 'fail' | 'inconclusive' | 'warn' | 'observe';
export type SloMode = 'gate' | 'warn' | 'observe';

export interface SloVerdict {
  metric: string;
  op: SloOperator;
  /** The bound the value was held to; for a relative SLO, computed from the baseline (null without one). */
  limit: number | null;
  /** Version index (names are in the loop record's `versions`). */
  version: number;
  value: number | null;
  status: SloStatus;
  /** Why there is no data, too little data, or no decision. */
  reason?: string;
  /** absent means absolute. */
  kind?: 'absolute' | 'relative' | 'compare';
  /** Relative SLOs: what the candidate was compared with and the rule that gave `limit`. */
  relative?: RelativeVerdict;
  /** minSamples: the metric that counts samples, its value for this version, and the minimum. */
  samples?: { metric: string; value: number | null; min: number };
  /** Statistical comparisons (`compare:`): the test's full result. */
  comparison?: ComparisonResult;
  /** The policy that turned `status` into `gate`. */
  policy?: { mode: SloMode; onNoData: 'fail' | 'inconclusive' | 'pass'; failAfter?: number; streak?: number };
  /** Effect on the exit code; absent in old records (derive it with `verdictGate`). */
  gate?: SloGate;
}

export interface RelativeVerdict {
  /** Baseline version index, or the pinned loop it came from. */
  baseline: number | { pinned: string; loop: number };
  baselineValue: number | null;
  /** E.g. "<= baseline x 1.10", "<= baseline + 5 ms", ">= baseline - 2%". */
  rule: string;
}

/** Result of a statistical test between a baseline and a candidate (see src/stats). */
export interface ComparisonResult {
  test: string;
  n: { baseline: number; candidate: number };
  effect: { name: string; estimate: number; ci: [number, number]; confidence: number; units?: string };
  pValue: number | null;
  /** The significance level used at this look (after alpha spending). */
  alpha: number;
  decision: 'worse' | 'not-worse' | 'inconclusive';
  /** The rule that decided, in words. */
  rule: string;
  sequential?: { method: string; look: number; looks: number | null; alphaSpent: number };
}

/** A verdict's effect on the exit code; records written before policies existed have no `gate`. */
export function verdictGate(verdict: { status: string; gate?: SloGate | undefined }): SloGate {
  if (verdict.gate) return verdict.gate;
  return verdict.status === 'pass' ? 'pass' : verdict.status === 'fail' ? 'fail' : 'inconclusive';
}

export type TaskStatus = 'completed' | 'skipped' | 'failed' | 'error' | 'not-run' | 'interrupted';

export interface TaskOutcome {
  id: string;
  task: string;
  status: TaskStatus;
  start?: string;
  end?: string;
  durationMs?: number;
  attempts?: number;
  /** Why it failed, errored, was skipped or did not run. */
  message?: string;
  /** Tail of the task's output (the `run` task's stdout and stderr). */
  output?: string;
  /** What a task that acts on the loop's verdicts (rollout) decided, and why. */
  decision?: RolloutDecision;
  /** The task ended the experiment after this loop (a rollout promoted or rolled back). */
  ends?: ExperimentEnd;
}

/** Ends a task may give an experiment, besides running out of loops. */
export type ExperimentEnd = 'promoted' | 'rolled-back';

export type RolloutAction = 'advance' | 'hold' | 'promote' | 'rollback';

/**
 * One loop's rollout decision. `from` and `to` are the candidate's traffic share in percent as
 * read from the object and as left (the same for a hold); the next loop continues from here.
 */
export interface RolloutDecision {
  action: RolloutAction;
  from: number;
  to: number;
  why: string;
  /** Consecutive passing loops at `to`, counted toward the next step. */
  passes: number;
  /** A patch was sent (false for a hold, and for every decision under --no-act). */
  acted: boolean;
  /** The object's resourceVersion after this decision: a different one next loop means someone changed it. */
  resourceVersion?: string;
  /** What was sent (or, under --no-act, would have been), as content type and body. */
  patch?: { type: string; body: unknown };
  /** When traffic was moved within the last hour (maxStepsPerHour). */
  moves?: string[];
  /** A manual change seen: the loop it was first seen in. The rollout holds from then on. */
  driftSince?: number;
  /** LLMInferenceService: the candidate's weight when the rollout began (a rollback returns to it). */
  startWeight?: number;
}

/**
 * completed: every task completed or was skipped. failed: a task judged the outcome bad.
 * error: a task could not run. interrupted: SIGINT/SIGTERM arrived during the loop.
 */
export type LoopStatus = 'completed' | 'failed' | 'error' | 'interrupted';

export interface HeaderRecord {
  kind: 'header';
  format: typeof resultFormat;
  tool: { name: 'canary'; version: string };
  created: string;
  experimentHash: string;
  /** Loops after this header are numbered from here (a file may hold several runs). */
  firstLoop: number;
  source?: string;
  experiment: Experiment;
}

export interface LoopRecord {
  kind: 'loop';
  loop: number;
  experimentHash: string;
  /** When this experiment (this header's segment) started: `elapsedTimeSeconds` counts from it. */
  experimentStart: string;
  /** Loops of this experiment (header segment) so far, this one included; absent in old records. */
  iteration?: number;
  start: string;
  end: string;
  durationMs: number;
  status: LoopStatus;
  /** Cron ticks that passed while the previous loop was still running; they were skipped. */
  skippedTicks?: string[];
  /**
   * Set when the loop evaluated a past time (`canary run --at/--from`): `at` is that time (ISO).
   * `start` and `end` stay wall-clock times.
   */
  retrospective?: { at: string };
  versions: string[];
  tasks: TaskOutcome[];
  /** Per version index: fully qualified metric name -> value. */
  metrics: Array<Record<string, MetricValue>>;
  metricInfo?: Record<string, MetricInfo>;
  slos: SloVerdict[];
  /** Histograms per version index: metric name -> bins (e.g. http/latency, kserve-prometheus/latency). */
  distributions?: Array<Record<string, RecordedBin[]>>;
  /** Latency histograms per version index (null where none), written by releases before `distributions`. */
  histograms?: Array<Array<{ upperMs: number; count: number }> | null>;
}

/** Written when `canary run` stops, so `assert --timeout` knows nothing more will come. */
export interface EndRecord {
  kind: 'end';
  at: string;
  reason: 'done' | 'max-loops' | 'interrupted' | 'terminated' | 'error' | ExperimentEnd;
  /** Loops this run made. */
  loops: number;
  lastLoop: number;
  experimentHash: string;
  experimentStart?: string;
}

export type ResultRecord = HeaderRecord | LoopRecord | EndRecord;

/** A verdict's identity across loops (version by name: indexes may differ between loops). */
export function verdictKey(verdict: Pick<SloVerdict, 'kind' | 'metric' | 'op'>, versionName: string): string {
  // Length-prefixed parts cannot run into each other, whatever characters the names hold; cheaper
  // than JSON.stringify, and reports count verdicts over every loop of a history.
  const kind = verdict.kind ?? 'absolute';
  return `${kind.length}:${kind}${verdict.metric.length}:${verdict.metric}${verdict.op.length}:${verdict.op}${versionName}`;
}

/**
 * A note about the history, appended (never rewritten) by `canary results pin|unpin|invalidate`:
 * pin names a loop (a baseline such as `golden`); invalidate keeps a loop out of comparisons and trends.
 * `lastLoop`, `experimentHash` and `experimentStart` repeat where the file stands, so a reader that
 * predates marks and takes the last record for an end record still numbers the next loop right.
 */
export interface MarkRecord {
  kind: 'mark';
  at: string;
  action: 'pin' | 'unpin' | 'invalidate';
  /** pin and invalidate: the loop marked. */
  loop?: number;
  /** pin and unpin: the pin's name. */
  name?: string;
  /** invalidate: why the loop must not be compared. */
  reason?: string;
  lastLoop: number;
  experimentHash: string;
  experimentStart?: string;
}

/**
 * Written by retention (`canary run --keep N`, spec.retention) in place of the loops it compacted:
 * their aggregates, as the cluster store keeps them, and the invalid loops it dropped (not aggregated).
 */
export interface SummaryRecord {
  kind: 'summary';
  at: string;
  summary: LoopSummary;
  invalid?: Array<{ loop: number; reason: string }>;
}

/** Every record kind a result file may hold; readers skip kinds they do not know. */
export type AnyResultRecord = ResultRecord | MarkRecord | SummaryRecord;
