import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../../src/config/load-experiment.js';
import { valuesFromSetArguments } from '../../../src/config/set-values.js';
import { checkAssessInput } from '../../../src/tasks/assess/check-assess-input.js';
import { assessVersions } from '../../../src/tasks/assess/assess.js';
import type { AssessInput } from '../../../src/tasks/assess/assess-input.js';
import { assessContext } from './assess-context.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-assess-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('assess input checks', () => {
  const check = (input: AssessInput, versions?: string[]) =>
    checkAssessInput(input, { experimentDir: '.', env: {}, ...(versions ? { versions } : {}) }).map((p) => [
      p.path.join('.'),
      p.message,
    ]);

  it('a relative SLO needs exactly one direction', async () => {
    expect(check({ relative: { SLOs: { 'p/x': {} } } })).toEqual([
      [
        'relative.SLOs.p/x',
        'relative SLO p/x needs exactly one of maxIncrease (lower is better) or maxDecrease (higher is better)',
      ],
    ]);
    expect(check({ relative: { SLOs: { 'p/x': { maxIncrease: 1, maxDecrease: 1 } } } })).toHaveLength(1);
  });

  it('units go with an amount, not a percentage', async () => {
    expect(check({ relative: { SLOs: { 'p/x': { maxIncrease: '10%', units: 'ms' } } } })).toEqual([
      ['relative.SLOs.p/x.units', 'units apply to an amount, not to a percentage (10%)'],
    ]);
  });

  it('baselines must name a version', async () => {
    expect(
      check({ baseline: 'nope', relative: { SLOs: { 'p/x': { maxIncrease: 1 } } } }, ['a', 'b']),
    ).toEqual([['baseline', 'baseline "nope" is not in spec.versions']]);
    expect(check({ relative: { baseline: 2, SLOs: { 'p/x': { maxIncrease: 1 } } } }, ['a', 'b'])).toEqual([
      ['relative.baseline', 'baseline index 2 is out of range: spec.versions has 2'],
    ]);
    expect(
      check({ relative: { baseline: { pinned: 'golden' }, SLOs: { 'p/x': { maxIncrease: 1 } } } }, ['a']),
    ).toEqual([]);
  });

  it('every metric reference is checked, minSamples and comparisons included', async () => {
    expect(
      check({
        defaults: { minSamples: 'bad >= 3' },
        compare: [{ errors: 'p/e', requests: 'nope', maxIncrease: 0.1 }],
      }).map(([where]) => where),
    ).toEqual(['compare.0.requests', 'defaults.minSamples']);
  });

  it('duplicates are errors per kind', async () => {
    expect(
      check({
        compare: [
          { latency: 'p/latency', maxIncrease: '10%' },
          { latency: 'p/latency', maxIncrease: '20%' },
        ],
      }),
    ).toEqual([['compare.1', 'duplicate comparison of latency SLO p/latency <=']]);
  });
});

describe('relative SLOs from --set, as the issue writes them', () => {
  it('assess.relative.SLOs.<metric>.maxIncrease=10% builds a valid experiment that judges relatively', async () => {
    const values = valuesFromSetArguments(
      [
        'tasks={assess}',
        'assess.relative.baseline=baseline',
        'assess.relative.SLOs.kserve-prometheus/latency-mean.maxIncrease=10%',
        'assess.relative.SLOs.kserve-prometheus/error-rate.maxIncrease=0.005',
        'assess.SLOs.upper.kserve-prometheus/latency-p90=40',
      ],
      [],
    );
    const loaded = await loadExperiment({ cwd: dir, values });
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const input = loaded.experiment!.spec.tasks[0]!.with as AssessInput;
    expect(input.relative).toEqual({
      baseline: 'baseline',
      SLOs: {
        'kserve-prometheus/latency-mean': { maxIncrease: '10%' },
        'kserve-prometheus/error-rate': { maxIncrease: 0.005 },
      },
    });
    const verdicts = await assessVersions(
      input,
      assessContext(
        [
          {
            'kserve-prometheus/latency-mean': 20,
            'kserve-prometheus/error-rate': 0,
            'kserve-prometheus/latency-p90': 30,
          },
          {
            'kserve-prometheus/latency-mean': 23,
            'kserve-prometheus/error-rate': 0.001,
            'kserve-prometheus/latency-p90': 30,
          },
        ],
        { versions: ['baseline', 'candidate'] },
      ),
    );
    expect(verdicts.map((v) => `${v.version} ${v.metric} ${v.status}`)).toEqual([
      '0 kserve-prometheus/latency-p90 pass',
      '1 kserve-prometheus/latency-p90 pass',
      '1 kserve-prometheus/latency-mean fail',
      '1 kserve-prometheus/error-rate pass',
    ]);
  });
});

describe('comparisons on histograms and counts held by the board', () => {
  /** Bins 10, 20, ... 100 ms with `counts`. */
  const bins = (counts: number[]) => counts.map((count, i) => ({ upper: (i + 1) * 10, count }));

  it('a clearly slower candidate is worse; a copy of the baseline is not worse', async () => {
    const context = assessContext([{}, {}, {}]);
    const base = [0, 50, 200, 400, 200, 100, 50, 0, 0, 0];
    context.metrics.recordDistribution(0, 'http/latency', bins(base));
    context.metrics.recordDistribution(1, 'http/latency', bins([0, 0, 50, 200, 400, 200, 100, 50, 0, 0]));
    context.metrics.recordDistribution(2, 'http/latency', bins(base));
    const verdicts = await assessVersions(
      { compare: [{ latency: 'http/latency', maxIncrease: '5%' }] },
      context,
    );
    expect(verdicts.map((v) => [v.version, v.status, v.comparison?.decision])).toEqual([
      [1, 'fail', 'worse'],
      [2, 'pass', 'not-worse'],
    ]);
    expect(verdicts[0]!.comparison!.sequential).toMatchObject({ look: 1, looks: null });
  });

  it('alpha is spent over spec.maxLoops: the first of five looks uses a sliver of it', async () => {
    const context = assessContext(
      [
        { 'p/e': 0, 'p/n': 1000 },
        { 'p/e': 30, 'p/n': 1000 },
      ],
      {
        iteration: 1,
        plannedLoops: 5,
      },
    );
    const [verdict] = await assessVersions(
      { compare: [{ errors: 'p/e', requests: 'p/n', maxIncrease: 0.001 }] },
      context,
    );
    expect(verdict!.comparison!.sequential).toMatchObject({ look: 1, looks: 5 });
    expect(verdict!.comparison!.alpha).toBeLessThan(0.001);
    expect(verdict!.value).toBeCloseTo(0.03, 9);
    expect(verdict!.limit).toBeCloseTo(0.001, 9);
  });

  it('states the tolerance as written (7%, not 7.000000000000001%)', async () => {
    const context = assessContext([{}, {}]);
    const [verdict] = await assessVersions(
      { compare: [{ latency: 'http/latency', maxIncrease: '7%' }] },
      context,
    );
    expect(verdict!.relative!.rule).toBe('median shift <= 7%');
  });

  it('no histogram or no counts is nodata, never a pass', async () => {
    const context = assessContext([{ 'p/n': 10 }, { 'p/e': 1, 'p/n': 10 }]);
    const verdicts = await assessVersions(
      {
        compare: [
          { latency: 'http/latency', maxIncrease: '5%' },
          { errors: 'p/e', requests: 'p/n', maxIncrease: 0.01, onNoData: 'fail' },
        ],
      },
      context,
    );
    expect(verdicts.map((v) => [v.status, v.gate, v.reason])).toEqual([
      ['nodata', 'inconclusive', 'no histogram of http/latency'],
      ['nodata', 'fail', 'baseline (version baseline): p/e not observed'],
    ]);
  });
});
