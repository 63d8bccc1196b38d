/**
 * Running aggregates of the loops the cluster store no longer keeps in full. Folding a loop in is
 * O(versions x metrics), and the summary's size depends only on how many versions, metrics and
 * SLOs the experiment has, never on how many loops went into it.
 */
import { versionName } from '../config/experiment.js';
import type { LoopRecord, LoopStatus, SloStatus, SloVerdict } from './records.js';

/** One metric of one version over the summarized loops. min/max/last are null until a value came. */
export interface MetricAggregate {
  /** Loops with a value. */
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  last: number | null;
  /** Loops that recorded the metric without a value (the backend had no data, NaN...). */
  nodata: number;
}

/** Verdict counts per status; statuses added after v1 appear only when seen. */
export type SloAggregate = { pass: number; fail: number; nodata: number } & Partial<
  Record<SloStatus, number>
>;

export interface LoopSummary {
  /** Loops folded in. */
  loops: number;
  firstLoop?: number;
  lastLoop?: number;
  /** Start of the first summarized loop, end of the last one. */
  firstStart?: string;
  lastEnd?: string;
  status: Partial<Record<LoopStatus, number>>;
  /** Version name -> metric -> aggregate. Keyed by name: an experiment change may reorder versions. */
  metrics: Record<string, Record<string, MetricAggregate>>;
  /** Version name -> SLO (`metric <= limit`) -> verdict counts. */
  slos: Record<string, Record<string, SloAggregate>>;
}

export function emptySummary(): LoopSummary {
  return { loops: 0, status: {}, metrics: {}, slos: {} };
}

/** `kserve-prometheus/latency-mean <= 25`: one key per SLO, as the assess task states it. */
export function sloKey(verdict: Pick<SloVerdict, 'metric' | 'op' | 'limit'>): string {
  return `${verdict.metric} ${verdict.op} ${verdict.limit}`;
}

/** A new summary with `record` folded in; the input is left untouched. */
export function foldLoop(summary: LoopSummary, record: LoopRecord): LoopSummary {
  const next = structuredClone(summary);
  next.loops += 1;
  next.firstLoop = Math.min(next.firstLoop ?? record.loop, record.loop);
  next.lastLoop = Math.max(next.lastLoop ?? record.loop, record.loop);
  if (next.firstStart === undefined || record.start < next.firstStart) next.firstStart = record.start;
  if (next.lastEnd === undefined || record.end > next.lastEnd) next.lastEnd = record.end;
  next.status[record.status] = (next.status[record.status] ?? 0) + 1;
  record.metrics.forEach((metrics, index) => {
    const perVersion = (next.metrics[versionName(record.versions, index)] ??= {});
    for (const [name, { value }] of Object.entries(metrics)) {
      perVersion[name] = foldValue(perVersion[name], value);
    }
  });
  for (const verdict of record.slos) {
    const perVersion = (next.slos[versionName(record.versions, verdict.version)] ??= {});
    const counts = (perVersion[sloKey(verdict)] ??= { pass: 0, fail: 0, nodata: 0 });
    counts[verdict.status] = (counts[verdict.status] ?? 0) + 1;
  }
  return next;
}

function foldValue(aggregate: MetricAggregate | undefined, value: number | null): MetricAggregate {
  const current = aggregate ?? { count: 0, sum: 0, min: null, max: null, last: null, nodata: 0 };
  if (value === null || !Number.isFinite(value)) return { ...current, nodata: current.nodata + 1 };
  return {
    count: current.count + 1,
    sum: current.sum + value,
    min: current.min === null ? value : Math.min(current.min, value),
    max: current.max === null ? value : Math.max(current.max, value),
    last: value,
    nodata: current.nodata,
  };
}
