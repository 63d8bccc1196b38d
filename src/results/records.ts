import type { MetricInfo, MetricValue } from '../metrics/metric-board.js';
import type { Experiment } from '../config/experiment.js';

/** The result file format: JSON lines, a header then one record per loop, appended. */
export const resultFormat = 'canary.result/v1';

export type SloOperator = '<=' | '>=';
export type SloStatus = 'pass' | 'fail' | 'nodata';

export interface SloVerdict {
  metric: string;
  op: SloOperator;
  limit: number;
  /** Version index (names are in the loop record's `versions`). */
  version: number;
  value: number | null;
  status: SloStatus;
  /** Why there is no data, when status is nodata. */
  reason?: string;
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
  start: string;
  end: string;
  durationMs: number;
  status: LoopStatus;
  /** Cron ticks that passed while the previous loop was still running; they were skipped. */
  skippedTicks?: string[];
  versions: string[];
  tasks: TaskOutcome[];
  /** Per version index: fully qualified metric name -> value. */
  metrics: Array<Record<string, MetricValue>>;
  metricInfo?: Record<string, MetricInfo>;
  slos: SloVerdict[];
  /** Latency histograms per version index (null where none), e.g. from the http task. */
  histograms?: Array<Array<{ upperMs: number; count: number }> | null>;
}

/** Written when `canary run` stops, so `assert --timeout` knows nothing more will come. */
export interface EndRecord {
  kind: 'end';
  at: string;
  reason: 'done' | 'max-loops' | 'interrupted' | 'terminated' | 'error';
  /** Loops this run made. */
  loops: number;
  lastLoop: number;
  experimentHash: string;
  experimentStart?: string;
}

export type ResultRecord = HeaderRecord | LoopRecord | EndRecord;
