import { verdictGate, verdictKey, type LoopRecord, type SloGate, type SloVerdict } from './records.js';

export type GateCounts = Record<SloGate, number> & { total: number };

/** How many verdicts count as pass, fail, inconclusive, warn and observe for the exit code. */
export function countGates(verdicts: readonly SloVerdict[]): GateCounts {
  const counts: GateCounts = { total: 0, pass: 0, fail: 0, inconclusive: 0, warn: 0, observe: 0 };
  for (const verdict of verdicts) {
    counts.total++;
    counts[verdictGate(verdict)]++;
  }
  return counts;
}

/** Per SLO and version (verdictKey): in how many loops it was judged, and in how many it failed. */
export type SloHistoryCounts = Map<string, { loops: number; violations: number }>;

/** Adds one loop's verdicts; a second verdict of the same SLO and version in one loop counts once. */
export function addLoopVerdicts(counts: SloHistoryCounts, loop: Pick<LoopRecord, 'slos' | 'versions'>): void {
  const seen = new Set<string>();
  for (const verdict of loop.slos) {
    const key = verdictKey(verdict, loop.versions[verdict.version] ?? '');
    if (seen.has(key)) continue;
    seen.add(key);
    const count = counts.get(key);
    const failed = verdict.status === 'fail' ? 1 : 0;
    // A new object: counts may share their entries with another map (see summarizedSloCounts).
    counts.set(key, { loops: (count?.loops ?? 0) + 1, violations: (count?.violations ?? 0) + failed });
  }
}

/** `3 pass / 1 fail / 2 inconclusive` with only the non-zero kinds after pass. */
export function describeGateCounts(counts: GateCounts): string {
  const parts = [`${counts.pass} pass`];
  if (counts.fail) parts.push(`${counts.fail} fail`);
  if (counts.inconclusive) parts.push(`${counts.inconclusive} inconclusive`);
  if (counts.warn) parts.push(`${counts.warn} warn`);
  if (counts.observe) parts.push(`${counts.observe} observed`);
  return parts.join(' / ');
}
