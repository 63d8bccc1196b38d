import { describe, expect, it } from 'vitest';
import { checkAgainstSchema } from '../../src/config/schema-check.js';
import { buildReport } from '../../src/report/build-report.js';
import { renderReport } from '../../src/report/render-report.js';
import { ReportSchema } from '../../src/report/report-schema.js';
import type { ResultHistory } from '../../src/results/result-file.js';
import { experiment, header, loopRecord } from '../results/fixtures.js';

// Iter8's assess rewards: the best version per reward metric (base/assess.go identifyWinner: the first
// on a tie, versions without a value left out). Informational: never a verdict.

function history(): ResultHistory {
  const base = experiment();
  const withRewards = {
    ...base,
    spec: {
      ...base.spec,
      tasks: [
        ...base.spec.tasks,
        {
          id: 'assess',
          task: 'assess',
          needs: [],
          with: {
            SLOs: { upper: { 'p/error-rate': 0.5 } },
            rewards: { max: ['p/accuracy', 'p/missing'], min: ['p/latency-p50.0', 'p/cost'] },
          },
        },
      ],
    },
  };
  const value = (v: number | null) => ({ value: v });
  const loop = loopRecord(1, {
    versions: ['stable', 'canary', 'other'],
    tasks: [
      { id: 'a', task: 'run', status: 'completed', attempts: 1 },
      { id: 'assess', task: 'assess', status: 'completed', attempts: 1 },
    ],
    metrics: [
      { 'p/accuracy': value(0.9), 'p/latency-p50': value(30), 'p/cost': value(2) },
      { 'p/accuracy': value(0.95), 'p/latency-p50': value(20), 'p/cost': value(2) },
      { 'p/accuracy': value(null), 'p/latency-p50': value(25), 'p/cost': value(3) },
    ],
    slos: [0, 1, 2].map((version) => ({
      metric: 'p/error-rate',
      op: '<=' as const,
      limit: 0.5,
      version,
      value: 0,
      status: 'pass' as const,
    })),
  });
  return {
    file: 'r.jsonl',
    header: header({ experiment: withRewards }),
    loops: [loop],
    warnings: [],
  } as ResultHistory;
}

describe('assess rewards in reports', () => {
  it('name the best version per reward in the JSON report, within its schema, and never gate', () => {
    const report = buildReport(history());
    expect(report.rewards).toEqual([
      { metric: 'p/accuracy', direction: 'max', best: 'canary', value: 0.95 },
      { metric: 'p/missing', direction: 'max', best: null, value: null },
      { metric: 'p/latency-p50.0', direction: 'min', best: 'canary', value: 20 },
      { metric: 'p/cost', direction: 'min', best: 'stable', value: 2 },
    ]);
    expect(checkAgainstSchema(ReportSchema, JSON.parse(JSON.stringify(report)))).toEqual([]);
    expect(report).toMatchObject({ verdict: 'pass', exitCode: 0 });
  });

  it('show in text, markdown and html', () => {
    const text = renderReport(history(), 'text');
    expect(text).toContain('Best versions (rewards)');
    expect(text).toMatch(/p\/accuracy\s+higher is better\s+canary\s+0\.95/);
    expect(text).toMatch(/p\/cost\s+lower is better\s+stable\s+2/);
    const markdown = renderReport(history(), 'markdown');
    expect(markdown).toContain('### Best versions (rewards)');
    expect(markdown).toContain('| p/missing | higher is better | none (no values) | - |');
    const html = renderReport(history(), 'html');
    expect(html).toContain('<tr data-metric="p/accuracy" data-best="canary">');
    expect(html).toContain('<section id="rewards">');
  });

  it('are absent when no assess task lists rewards', () => {
    const plain = { ...history(), header: header() };
    expect(buildReport(plain).rewards).toBeUndefined();
    expect(renderReport(plain, 'text')).not.toContain('Best versions');
  });
});
