import { describe, expect, it } from 'vitest';
import { assessVersions } from '../../../src/tasks/assess/assess.js';
import type { AssessInput } from '../../../src/tasks/assess/assess-input.js';
import type { SloVerdict } from '../../../src/results/records.js';
import { assessContext, loopWith } from './assess-context.js';

const lat = 'p/latency-mean';
const requests = 'p/request-count';

/** What a verdict says, in the fields the tables compare. */
function summary(verdict: SloVerdict) {
  return {
    version: verdict.version,
    status: verdict.status,
    gate: verdict.gate,
    value: verdict.value,
    limit: verdict.limit === null ? null : Number(verdict.limit.toFixed(6)),
    ...(verdict.relative
      ? { baselineValue: verdict.relative.baselineValue, rule: verdict.relative.rule }
      : {}),
  };
}

interface Case {
  name: string;
  input: AssessInput;
  metrics: Array<Record<string, number | null>>;
  expected: Array<Partial<ReturnType<typeof summary>>>;
}

const relativeCases: Case[] = [
  {
    name: 'maxIncrease as a percentage: candidate within 1.10 x baseline passes',
    input: { relative: { SLOs: { [lat]: { maxIncrease: '10%' } } } },
    metrics: [{ [lat]: 20 }, { [lat]: 21.9 }],
    expected: [
      {
        version: 1,
        status: 'pass',
        gate: 'pass',
        value: 21.9,
        limit: 22,
        baselineValue: 20,
        rule: '<= baseline + 10%',
      },
    ],
  },
  {
    name: 'maxIncrease as a percentage: candidate above 1.10 x baseline fails',
    input: { relative: { SLOs: { [lat]: { maxIncrease: '10%' } } } },
    metrics: [{ [lat]: 20 }, { [lat]: 22.1 }],
    expected: [{ version: 1, status: 'fail', gate: 'fail', limit: 22 }],
  },
  {
    name: 'maxIncrease with units: baseline + 5 ms',
    input: { relative: { SLOs: { [lat]: { maxIncrease: 5, units: 'ms' } } } },
    metrics: [{ [lat]: 20 }, { [lat]: 25.5 }],
    expected: [{ version: 1, status: 'fail', limit: 25, rule: '<= baseline + 5 ms' }],
  },
  {
    name: 'an absolute increase without units (error-rate + 0.005)',
    input: { relative: { SLOs: { 'p/error-rate': { maxIncrease: 0.005 } } } },
    metrics: [{ 'p/error-rate': 0.01 }, { 'p/error-rate': 0.0149 }],
    expected: [{ version: 1, status: 'pass', limit: 0.015 }],
  },
  {
    name: 'maxDecrease: higher is better',
    input: { relative: { SLOs: { 'b/conversion-rate': { maxDecrease: '2%' } } } },
    metrics: [{ 'b/conversion-rate': 0.5 }, { 'b/conversion-rate': 0.489 }],
    expected: [{ version: 1, status: 'fail', limit: 0.49, rule: '>= baseline - 2%' }],
  },
  {
    name: 'maxDecrease passes an improvement',
    input: { relative: { SLOs: { 'b/conversion-rate': { maxDecrease: '2%' } } } },
    metrics: [{ 'b/conversion-rate': 0.5 }, { 'b/conversion-rate': 0.7 }],
    expected: [{ version: 1, status: 'pass' }],
  },
  {
    name: 'the floor keeps a tiny absolute difference from failing (1.0 ms vs 1.2 ms)',
    input: { relative: { SLOs: { [lat]: { maxIncrease: '10%', floor: 0.5 } } } },
    metrics: [{ [lat]: 1.0 }, { [lat]: 1.2 }],
    expected: [{ version: 1, status: 'pass', limit: 1.5, rule: '<= baseline + 10% (at least 0.5)' }],
  },
  {
    name: 'the floor does not loosen a larger allowance',
    input: { relative: { SLOs: { [lat]: { maxIncrease: '10%', floor: 0.5 } } } },
    metrics: [{ [lat]: 100 }, { [lat]: 110.5 }],
    expected: [{ version: 1, status: 'fail', limit: 110 }],
  },
  {
    name: 'a percentage of a negative baseline still allows a change of that size',
    input: { relative: { SLOs: { 'p/delta': { maxIncrease: '10%' } } } },
    metrics: [{ 'p/delta': -10 }, { 'p/delta': -9.5 }],
    expected: [{ version: 1, status: 'pass', limit: -9 }],
  },
  {
    name: 'a baseline without a value is nodata, never pass (default onNoData: inconclusive)',
    input: { relative: { SLOs: { [lat]: { maxIncrease: '10%' } } } },
    metrics: [{ [lat]: null }, { [lat]: 1 }],
    expected: [
      { version: 1, status: 'nodata', gate: 'inconclusive', limit: null, value: 1, baselineValue: null },
    ],
  },
  {
    name: 'a baseline without the metric at all is nodata',
    input: { relative: { SLOs: { [lat]: { maxIncrease: '10%' } } } },
    metrics: [{}, { [lat]: 1 }],
    expected: [{ version: 1, status: 'nodata', gate: 'inconclusive' }],
  },
  {
    name: 'a candidate without a value is nodata; onNoData: fail makes it fail',
    input: { relative: { SLOs: { [lat]: { maxIncrease: '10%', onNoData: 'fail' } } } },
    metrics: [{ [lat]: 10 }, { [lat]: null }],
    expected: [{ version: 1, status: 'nodata', gate: 'fail', limit: 11 }],
  },
  {
    name: 'onNoData: pass is honoured when asked for',
    input: { relative: { SLOs: { [lat]: { maxIncrease: '10%', onNoData: 'pass' } } } },
    metrics: [{ [lat]: 10 }, {}],
    expected: [{ version: 1, status: 'nodata', gate: 'pass' }],
  },
  {
    name: 'every non-baseline version is judged; the baseline is not judged against itself',
    input: { relative: { SLOs: { [lat]: { maxIncrease: '10%' } } } },
    metrics: [{ [lat]: 10 }, { [lat]: 10.5 }, { [lat]: 12 }],
    expected: [
      { version: 1, status: 'pass' },
      { version: 2, status: 'fail' },
    ],
  },
];

const samplesCases: Case[] = [
  {
    name: 'below minSamples the verdict is insufficient-data, whatever the value',
    input: { SLOs: { upper: { [lat]: { limit: 25, minSamples: `${requests} >= 100` } } } },
    metrics: [{ [lat]: 30, [requests]: 99 }],
    expected: [{ version: 0, status: 'insufficient-data', gate: 'inconclusive', value: 30 }],
  },
  {
    name: 'at minSamples the value decides',
    input: { SLOs: { upper: { [lat]: { limit: 25, minSamples: { metric: requests, min: 100 } } } } },
    metrics: [{ [lat]: 30, [requests]: 100 }],
    expected: [{ version: 0, status: 'fail', gate: 'fail' }],
  },
  {
    name: 'a sample count without a value is insufficient data',
    input: { SLOs: { upper: { [lat]: { limit: 25, minSamples: `${requests} >= 1` } } } },
    metrics: [{ [lat]: 3 }],
    expected: [{ version: 0, status: 'insufficient-data', gate: 'inconclusive' }],
  },
  {
    name: 'relative SLOs need enough samples on the baseline too',
    input: { relative: { SLOs: { [lat]: { maxIncrease: '10%', minSamples: `${requests} >= 100` } } } },
    metrics: [
      { [lat]: 10, [requests]: 50 },
      { [lat]: 30, [requests]: 500 },
    ],
    expected: [{ version: 1, status: 'insufficient-data', gate: 'inconclusive' }],
  },
  {
    name: 'defaults apply to every SLO; an SLO’s own field wins',
    input: {
      defaults: { minSamples: `${requests} >= 100`, onNoData: 'fail' },
      SLOs: { upper: { [lat]: 25, 'p/latency-p90': { limit: 40, onNoData: 'pass' } } },
    },
    metrics: [{ [lat]: 20, [requests]: 10 }],
    expected: [
      { version: 0, status: 'insufficient-data', gate: 'fail' },
      { version: 0, status: 'nodata', gate: 'pass' },
    ],
  },
];

const modeCases: Case[] = [
  {
    name: 'mode warn: a violation warns and does not fail',
    input: { SLOs: { upper: { [lat]: { limit: 25, mode: 'warn' } } } },
    metrics: [{ [lat]: 30 }],
    expected: [{ status: 'fail', gate: 'warn' }],
  },
  {
    name: 'mode warn: a pass stays a pass',
    input: { SLOs: { upper: { [lat]: { limit: 25, mode: 'warn' } } } },
    metrics: [{ [lat]: 20 }],
    expected: [{ status: 'pass', gate: 'pass' }],
  },
  {
    name: 'mode observe: recorded only, the status says what it would have been',
    input: { SLOs: { upper: { [lat]: { limit: 25, mode: 'observe' } } } },
    metrics: [{ [lat]: 30 }],
    expected: [{ status: 'fail', gate: 'observe' }],
  },
  {
    name: 'mode observe also covers missing data',
    input: { SLOs: { upper: { [lat]: { limit: 25, mode: 'observe' } } } },
    metrics: [{}],
    expected: [{ status: 'nodata', gate: 'observe' }],
  },
];

describe.each([
  ['relative SLOs', relativeCases],
  ['minSamples and onNoData', samplesCases],
  ['modes', modeCases],
])('%s', (_, cases) => {
  it.each(cases)('$name', async ({ input, metrics, expected }) => {
    const verdicts = await assessVersions(input, assessContext(metrics));
    expect(verdicts.map(summary)).toEqual(expected.map((e, i) => ({ ...summary(verdicts[i]!), ...e })));
    expect(verdicts).toHaveLength(expected.length);
  });
});

describe('failAfter', () => {
  const input: AssessInput = { SLOs: { upper: { [lat]: { limit: 25, failAfter: 3 } } } };
  /** Run `values` as consecutive loops, each seeing the previous loop's verdicts. */
  async function run(values: number[]) {
    let previousLoop;
    const gates: string[] = [];
    for (const [i, value] of values.entries()) {
      const context = assessContext([{ [lat]: value }], {
        iteration: i + 1,
        ...(previousLoop ? { previousLoop } : {}),
      });
      const slos = await assessVersions(input, context);
      gates.push(`${slos[0]!.gate}:${slos[0]!.policy?.streak}`);
      previousLoop = loopWith({ loop: i + 1, versions: context.versions as string[], slos });
    }
    return gates;
  }

  it('fails only on the third consecutive violating loop', async () => {
    expect(await run([30, 30, 30, 30])).toEqual(['warn:1', 'warn:2', 'fail:3', 'fail:4']);
  });

  it('a passing loop resets the count', async () => {
    expect(await run([30, 30, 20, 30, 30, 30])).toEqual([
      'warn:1',
      'warn:2',
      'pass:0',
      'warn:1',
      'warn:2',
      'fail:3',
    ]);
  });

  it('matches versions by name, not by position, across loops', async () => {
    const first = assessContext([{}, { [lat]: 30 }], { versions: ['a', 'b'] });
    const slos = await assessVersions(input, first);
    const previousLoop = loopWith({ versions: ['a', 'b'], slos });
    // The versions swapped places: b is now index 0.
    const second = assessContext([{ [lat]: 30 }, {}], { versions: ['b', 'a'], iteration: 2, previousLoop });
    expect(
      (await assessVersions(input, second)).map((v) => `${v.version}:${v.gate}:${v.policy?.streak}`),
    ).toEqual(['0:warn:2', '1:inconclusive:0']);
  });
});

describe('baselines', () => {
  const input = (baseline: AssessInput['baseline']): AssessInput => ({
    ...(baseline !== undefined ? { baseline } : {}),
    relative: { SLOs: { [lat]: { maxIncrease: '10%' } } },
  });
  const metrics = [{ [lat]: 10 }, { [lat]: 20 }, { [lat]: 30 }];

  it('defaults to the version named baseline, wherever it is', async () => {
    const verdicts = await assessVersions(
      input(undefined),
      assessContext(metrics, { versions: ['c1', 'baseline', 'c2'] }),
    );
    expect(verdicts.map((v) => [v.version, v.relative?.baseline, v.limit])).toEqual([
      [0, 1, 22],
      [2, 1, 22],
    ]);
  });

  it('defaults to the first version when none is named baseline', async () => {
    const verdicts = await assessVersions(
      input(undefined),
      assessContext(metrics, { versions: ['x', 'y', 'z'] }),
    );
    expect(verdicts.map((v) => [v.version, v.relative?.baseline])).toEqual([
      [1, 0],
      [2, 0],
    ]);
  });

  it('takes a name or an index', async () => {
    const versions = ['x', 'y', 'z'];
    expect(
      (await assessVersions(input('z'), assessContext(metrics, { versions }))).map((v) => v.version),
    ).toEqual([0, 1]);
    expect(
      (await assessVersions(input(1), assessContext(metrics, { versions }))).map((v) => v.version),
    ).toEqual([0, 2]);
  });

  it('an unknown baseline is nodata for every version, with the reason', async () => {
    const verdicts = await assessVersions(
      input('nope'),
      assessContext(metrics, { versions: ['x', 'y', 'z'] }),
    );
    expect(verdicts).toHaveLength(3);
    expect(verdicts[0]).toMatchObject({ status: 'nodata', gate: 'inconclusive' });
    expect(verdicts[0]!.reason).toContain('baseline "nope" is not a version of this experiment');
  });

  it('a pinned loop: each version against its namesake in the pinned loop', async () => {
    const pinned = loopWith({
      loop: 7,
      versions: ['x', 'y'],
      metrics: [{ [lat]: { value: 10 } }, { [lat]: { value: 100 } }],
    });
    const context = assessContext([{ [lat]: 10.5 }, { [lat]: 120 }], {
      versions: ['x', 'y'],
      pinnedLoop: (name) => (name === 'golden' ? pinned : undefined),
    });
    const verdicts = await assessVersions(input({ pinned: 'golden' }), context);
    expect(verdicts.map((v) => [v.version, v.status, v.limit, v.relative?.baseline])).toEqual([
      [0, 'pass', 11, { pinned: 'golden', loop: 7 }],
      [1, 'fail', 110, { pinned: 'golden', loop: 7 }],
    ]);
  });

  it('a missing pin says how to make one', async () => {
    const verdicts = await assessVersions(
      input({ pinned: 'golden' }),
      assessContext(metrics, { pinnedLoop: () => undefined }),
    );
    expect(verdicts[0]!.reason).toContain('canary results pin LOOP --as golden');
  });

  it('a run with neither a result file nor a cluster store says where pins live', async () => {
    const verdicts = await assessVersions(input({ pinned: 'golden' }), assessContext(metrics));
    expect(verdicts[0]).toMatchObject({ status: 'nodata', gate: 'inconclusive' });
    expect(verdicts[0]!.reason).toContain('pins live in result files');
    expect(verdicts[0]!.reason).toContain('and this run has neither');
  });
});
