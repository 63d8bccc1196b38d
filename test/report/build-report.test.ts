import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAgainstSchema } from '../../src/config/schema-check.js';
import { buildReport } from '../../src/report/build-report.js';
import { readResults } from '../../src/results/result-file.js';
import { withTempDir } from '../engine/helpers.js';
import { ReportSchema } from '../../src/report/report-schema.js';
import { baseline, candidate, threeLoopHistory, twoLoopHistory } from './report-fixtures.js';
import { header, jsonl, loopRecord } from '../results/fixtures.js';
import type { SloVerdict } from '../../src/results/records.js';

describe('buildReport', () => {
  it('gives the same report from a history read with only the latest loop whole', async () => {
    await withTempDir(async (dir) => {
      const history = threeLoopHistory();
      const file = path.join(dir, 'results.jsonl');
      const records = [history.header, ...history.loops].map((r) => `${JSON.stringify(r)}\n`);
      await writeFile(file, records.join(''));
      const summarized = await readResults(file, { fullLoops: 1 });
      expect(summarized.loops[0]!.tasks).toEqual([]);
      expect(buildReport(summarized)).toEqual(buildReport(await readResults(file)));
    });
  });

  it('counts a warn SLO violations over every loop, also when older loops are summarized', async () => {
    await withTempDir(async (dir) => {
      const verdict = (version: number, value: number): SloVerdict => ({
        metric: 'p/latency',
        op: '<=',
        limit: 10,
        version,
        value,
        status: value <= 10 ? 'pass' : 'fail',
        policy: { mode: 'warn', onNoData: 'fail' },
        gate: value <= 10 ? 'pass' : 'warn',
      });
      const latencies = [
        [5, 12],
        [5, 8],
        [11, 20],
        [5, 30],
      ];
      const loops = latencies.map(([a, b], i) =>
        loopRecord(i + 1, {
          versions: ['old', 'new'],
          metrics: [{}, {}],
          slos: [verdict(0, a!), verdict(1, b!)],
        }),
      );
      // Loop 2 lists the versions the other way round: verdicts are matched by version name.
      loops[1] = { ...loops[1]!, versions: ['new', 'old'], slos: [verdict(1, 5), verdict(0, 8)] };
      const file = path.join(dir, 'results.jsonl');
      await writeFile(file, jsonl(header(), ...loops));
      const full = buildReport(await readResults(file));
      expect(full.versions.map((v) => v.slos[0]!.history)).toEqual([
        { loops: 4, violations: 1 },
        { loops: 4, violations: 3 },
      ]);
      expect(buildReport(await readResults(file, { fullLoops: 1 }))).toEqual(full);
    });
  });

  it('keeps the rendered queries of the latest loop per version', () => {
    const report = buildReport(threeLoopHistory());
    expect(checkAgainstSchema(ReportSchema, report)).toEqual([]);
    expect(Object.keys(report.versions[0]!.queries ?? {})).toEqual([
      'kserve-prometheus/error-count',
      'kserve-prometheus/latency-mean',
      'kserve-prometheus/latency-p90',
    ]);
    expect(report.versions[1]!.queries?.['kserve-prometheus/latency-p90']).toContain(
      `revision_name="${candidate}"`,
    );
  });

  it('omits queries and histograms when the loop has none', () => {
    const report = buildReport(twoLoopHistory());
    expect(report.versions.every((v) => v.queries === undefined)).toBe(true);
    expect(report.histograms).toBeUndefined();
  });

  it('keys histograms by version name, from per-index or per-name records', () => {
    const report = buildReport(threeLoopHistory());
    expect(Object.keys(report.histograms ?? {})).toEqual([baseline, candidate]);
    expect(report.histograms?.[baseline]?.[0]).toEqual({ upperMs: 10, count: expect.any(Number) });
    const history = threeLoopHistory();
    (history.loops[2] as { histograms?: unknown }).histograms = { [candidate]: [{ upperMs: 2, count: 1 }] };
    expect(buildReport(history).histograms).toEqual({ [candidate]: [{ upperMs: 2, count: 1 }] });
  });

  it('drops malformed histograms rather than render them', () => {
    const history = threeLoopHistory();
    (history.loops[2] as { histograms?: unknown }).histograms = [
      [{ upperMs: 'x', count: 1 }],
      [
        { upperMs: 5, count: 2 },
        { upperMs: 1, count: 3 },
      ],
    ];
    expect(buildReport(history).histograms).toEqual({
      [candidate]: [
        { upperMs: 1, count: 3 },
        { upperMs: 5, count: 2 },
      ],
    });
    (history.loops[2] as { histograms?: unknown }).histograms = 'nonsense';
    expect(buildReport(history).histograms).toBeUndefined();
  });
});
