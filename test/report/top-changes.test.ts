import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { describeChange } from '../../src/report/render-markdown.js';
import { collectTopChanges } from '../../src/report/top-changes.js';
import { baseline, candidate, threeLoopHistory, twoLoopHistory } from './report-fixtures.js';

describe('collectTopChanges', () => {
  it('ranks by relative change between the last two loops, skipping unchanged and missing values', () => {
    const changes = collectTopChanges(buildReport(twoLoopHistory()));
    expect(changes.map((c) => [c.version, c.metric, c.previous, c.current])).toEqual([
      [candidate, 'kserve-prometheus/latency-mean', 22.25, 31],
      [baseline, 'kserve-prometheus/latency-p90', 33, 38.123456],
      [baseline, 'kserve-prometheus/latency-mean', 19.8, 21.3],
    ]);
    expect(changes[0]).toMatchObject({ previousLoop: 1, loop: 2, delta: 8.75 });
  });

  it('compares only the last two loops, and caps the list', () => {
    const changes = collectTopChanges(buildReport(threeLoopHistory()), 2);
    expect(changes).toHaveLength(2);
    expect(changes.every((c) => c.previousLoop === 2 && c.loop === 3)).toBe(true);
    // 31 -> 28.6 is -7.7%, 21.3 -> 20.4 is -4.2%: the candidate's mean moved most.
    expect(changes[0]).toMatchObject({ version: candidate, metric: 'kserve-prometheus/latency-mean' });
  });

  it('matches versions by name when the version list changed', () => {
    const history = twoLoopHistory();
    const last = history.loops[1]!;
    last.versions = [candidate, baseline];
    last.metrics.reverse();
    const changes = collectTopChanges(buildReport(history));
    expect(
      changes.find((c) => c.version === candidate && c.metric === 'kserve-prometheus/latency-mean'),
    ).toMatchObject({
      previous: 22.25,
      current: 31,
    });
  });

  it('puts moves away from zero first and describes them without a percentage', () => {
    const history = twoLoopHistory();
    history.loops[1]!.metrics[1]!['kserve-prometheus/error-count'] = { value: 3 };
    const [first] = collectTopChanges(buildReport(history));
    expect(first).toMatchObject({ metric: 'kserve-prometheus/error-count', relative: undefined });
    expect(describeChange(first!)).toBe('+3');
  });

  it('is empty with fewer than two loops', () => {
    const history = twoLoopHistory();
    history.loops.pop();
    expect(collectTopChanges(buildReport(history))).toEqual([]);
  });

  it('describes decreases with their sign', () => {
    const [first] = collectTopChanges(buildReport(threeLoopHistory()));
    expect(describeChange(first!)).toBe('-2.4 (-7.7%)');
  });
});
