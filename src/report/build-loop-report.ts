import type { LoopRecord } from '../results/records.js';
import type { TaskContext } from '../tasks/task-definition.js';
import { versionName } from '../config/experiment.js';
import { buildReport } from './build-report.js';
import type { Report } from './report-schema.js';

export type LoopSoFar = Pick<TaskContext, 'loop' | 'experiment' | 'versions' | 'metrics' | 'slos'>;

/**
 * The report of the loop that is still running, for tasks such as `notify`: built by the same
 * code as `canary report` from a loop record made of what the loop has recorded so far.
 *
 * A running loop has no final task outcomes, so the verdict and exit code are judged on the SLOs
 * alone; `completed` is false, `latestLoop.status` is `running`, and `history` holds only this loop.
 */
export function buildLoopReport(context: LoopSoFar, now: Date = new Date()): Report {
  // A task may have recorded metrics for more versions than were known when this task started.
  const count = Math.max(context.versions.length, context.metrics.versionCount);
  const versions = Array.from({ length: count }, (_, i) => versionName(context.versions, i));
  const at = now.toISOString();
  const record: LoopRecord = {
    kind: 'loop',
    loop: context.loop,
    experimentHash: '',
    experimentStart: at,
    start: at,
    end: at,
    durationMs: 0,
    // With no tasks listed, buildReport's completed/nofailure checks hold and only SLOs decide.
    status: 'completed',
    versions,
    tasks: [],
    metrics: context.metrics.toJSON(versions.length),
    ...metricInfoOf(context),
    // A copy: the loop's array keeps growing after the report is built.
    slos: context.slos.map((slo) => ({ ...slo })),
  };
  const report = buildReport({ file: '', loops: [record], warnings: [] });
  const { name, namespace } = context.experiment;
  return {
    ...report,
    experiment: { name, ...(namespace ? { namespace } : {}) },
    loops: context.loop,
    completed: false,
    latestLoop: { loop: context.loop, start: at, end: at, durationMs: 0, status: 'running' },
  };
}

function metricInfoOf(context: LoopSoFar): Pick<LoopRecord, 'metricInfo'> {
  const entries = [...context.metrics.info.entries()].sort(([a], [b]) => a.localeCompare(b));
  return entries.length > 0 ? { metricInfo: Object.fromEntries(entries) } : {};
}
