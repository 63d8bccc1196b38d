import { verdictGate, type SloGate, type SloVerdict } from './records.js';

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

/** `3 pass / 1 fail / 2 inconclusive` with only the non-zero kinds after pass. */
export function describeGateCounts(counts: GateCounts): string {
  const parts = [`${counts.pass} pass`];
  if (counts.fail) parts.push(`${counts.fail} fail`);
  if (counts.inconclusive) parts.push(`${counts.inconclusive} inconclusive`);
  if (counts.warn) parts.push(`${counts.warn} warn`);
  if (counts.observe) parts.push(`${counts.observe} observed`);
  return parts.join(' / ');
}
