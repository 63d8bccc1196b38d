import type { Report } from './report-schema.js';

export interface MetricChange {
  metric: string;
  version: string;
  previousLoop: number;
  loop: number;
  previous: number;
  current: number;
  delta: number;
  /** delta / |previous|; undefined when previous is 0 (any move from 0 is "new"). */
  relative: number | undefined;
}

/**
 * The metrics that moved most between the last two loops, per version (matched by name, since
 * the version list may change between loops). Ranked by relative change, moves away from zero
 * first; unchanged values and values missing in either loop are left out.
 */
export function collectTopChanges(report: Report, limit = 5): MetricChange[] {
  const current = report.history.at(-1);
  const previous = report.history.at(-2);
  if (!current || !previous) return [];
  const changes: MetricChange[] = [];
  current.versions.forEach((version, index) => {
    const before = previous.metrics[previous.versions.indexOf(version)];
    const after = current.metrics[index];
    if (!before || !after) return;
    for (const [metric, value] of Object.entries(after)) {
      const old = before[metric];
      if (typeof value !== 'number' || typeof old !== 'number' || value === old) continue;
      changes.push({
        metric,
        version,
        previousLoop: previous.loop,
        loop: current.loop,
        previous: old,
        current: value,
        delta: value - old,
        relative: old === 0 ? undefined : (value - old) / Math.abs(old),
      });
    }
  });
  return changes.sort(compareChanges).slice(0, limit);
}

function compareChanges(a: MetricChange, b: MetricChange): number {
  const rank = (c: MetricChange) => (c.relative === undefined ? Infinity : Math.abs(c.relative));
  return (
    rank(b) - rank(a) ||
    Math.abs(b.delta) - Math.abs(a.delta) ||
    a.metric.localeCompare(b.metric) ||
    a.version.localeCompare(b.version)
  );
}
