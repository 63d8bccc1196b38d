// False alarms and power by simulation (figures in docs/statistics.md). Seeds are fixed: the counts are
// reproducible, and the bounds are binomial, so a correct method passes with room to spare.
import { describe, expect, it } from 'vitest';
import { falseAlarmBound, powerBound, simulateLatency, simulateRates, type Tally } from './simulate.js';

const log = process.env.STATS_FIGURES ? console.log : (): void => undefined;

const tallyKeys = (tally: Tally): Array<keyof Tally> => Object.keys(tally) as Array<keyof Tally>;

describe('false alarms under no difference', () => {
  it('latency: 2000 experiments x 5 loops x 200 requests per version per loop, any significant increase is worse', () => {
    const experiments = 2000;
    const { worse } = simulateLatency({
      experiments,
      perLoop: 200,
      loops: 5,
      median: 50,
      sigma: 0.5,
      factor: 1,
      shift: 0,
      tolerance: { shift: 0 },
      seed: 1_000_000,
      analyses: ['prometheus-single', 'prometheus-planned', 'prometheus-open', 'hdr-single', 'hdr-planned'],
    });
    log('latency false alarms', worse);
    const bound = falseAlarmBound(experiments, 0.05);
    for (const key of tallyKeys(worse)) expect(worse[key], key).toBeLessThanOrEqual(bound);
  }, 60_000);

  it.each([
    { name: 'z-test regime: 1% errors, 1000 requests per loop', baselineRate: 0.01, trialsPerLoop: 1000 },
    { name: 'Fisher regime: 0.2% errors, 500 requests per loop', baselineRate: 0.002, trialsPerLoop: 500 },
  ])(
    'rates, $name: 2000 experiments x 5 loops',
    ({ baselineRate, trialsPerLoop }) => {
      const experiments = 2000;
      const worse = simulateRates({
        experiments,
        trialsPerLoop,
        loops: 5,
        baselineRate,
        candidateRate: baselineRate,
        maxIncrease: 0,
        seed: 2_000_000,
      });
      log('rate false alarms', baselineRate, trialsPerLoop, worse);
      const bound = falseAlarmBound(experiments, 0.05);
      expect(worse.single).toBeLessThanOrEqual(bound);
      expect(worse.planned).toBeLessThanOrEqual(bound);
      expect(worse.open).toBeLessThanOrEqual(bound);
      // The scenario does exercise the test it names.
      if (baselineRate < 0.005) expect(worse.fisher).toBeGreaterThan(experiments * 0.9);
      else expect(worse.fisher).toBeLessThan(experiments * 0.1);
    },
    60_000,
  );
});

describe('false alarms at the tolerance: a true increase exactly as large as tolerated', () => {
  it('rates: 1% -> 1.5% with maxIncrease 0.5 points, 1000 requests per loop', () => {
    const experiments = 2000;
    const worse = simulateRates({
      experiments,
      trialsPerLoop: 1000,
      loops: 5,
      baselineRate: 0.01,
      candidateRate: 0.015,
      maxIncrease: 0.005,
      seed: 3_000_000,
    });
    log('rate boundary', worse);
    expect(worse.single).toBeLessThanOrEqual(falseAlarmBound(experiments, 0.05));
    expect(worse.planned).toBeLessThanOrEqual(falseAlarmBound(experiments, 0.05));
  }, 60_000);

  it('latency with fine (HDR-like) bins: 10% slower with a 10% tolerance, 1000 requests per loop', () => {
    const experiments = 300;
    const { worse } = simulateLatency({
      experiments,
      perLoop: 1000,
      loops: 5,
      median: 50,
      sigma: 0.5,
      factor: 1.1,
      shift: 0,
      tolerance: { ratio: 0.1 },
      seed: 4_000_000,
      analyses: ['prometheus-single', 'prometheus-planned', 'hdr-single', 'hdr-planned'],
    });
    log('latency boundary', worse);
    expect(worse['hdr-single']).toBeLessThanOrEqual(falseAlarmBound(experiments, 0.05));
    expect(worse['hdr-planned']).toBeLessThanOrEqual(falseAlarmBound(experiments, 0.05));
  }, 60_000);
});

describe('power and practical significance', () => {
  it('detects a 20% latency increase (tolerance 10%) at 1000 requests per version per loop', () => {
    const experiments = 300;
    const { worse } = simulateLatency({
      experiments,
      perLoop: 1000,
      loops: 5,
      median: 50,
      sigma: 0.5,
      factor: 1.2,
      shift: 0,
      tolerance: { ratio: 0.1 },
      seed: 5_000_000,
      analyses: ['prometheus-single', 'prometheus-planned', 'hdr-single', 'hdr-planned'],
    });
    log('latency power', worse);
    // Documented: at least 90% at a single look, at least 99% within 5 planned looks.
    expect(worse['prometheus-single']).toBeGreaterThanOrEqual(powerBound(experiments, 0.9));
    expect(worse['hdr-single']).toBeGreaterThanOrEqual(powerBound(experiments, 0.9));
    expect(worse['prometheus-planned']).toBeGreaterThanOrEqual(powerBound(experiments, 0.99));
    expect(worse['hdr-planned']).toBeGreaterThanOrEqual(powerBound(experiments, 0.99));
  }, 60_000);

  it('detects a doubled error rate (1% -> 2%, maxIncrease 0.2 points) within 5 loops of 1000 requests', () => {
    const experiments = 500;
    const worse = simulateRates({
      experiments,
      trialsPerLoop: 1000,
      loops: 5,
      baselineRate: 0.01,
      candidateRate: 0.02,
      maxIncrease: 0.002,
      seed: 6_000_000,
    });
    log('rate power', worse);
    // Documented: at least 85% within 5 planned looks (a single look of 1000 has about 40%).
    expect(worse.planned).toBeGreaterThanOrEqual(powerBound(experiments, 0.85));
  }, 60_000);

  it('never fails a 0.1 ms shift with a 10% tolerance, even where the shift is significant', () => {
    const experiments = 200;
    // 50 ms median: the 0.1 ms shift is noise.
    const slow = simulateLatency({
      experiments,
      perLoop: 1000,
      loops: 5,
      median: 50,
      sigma: 0.5,
      factor: 1,
      shift: 0.1,
      tolerance: { ratio: 0.1 },
      seed: 7_000_000,
      analyses: ['prometheus-single', 'prometheus-planned', 'hdr-single', 'hdr-planned'],
    });
    // 2 ms median, tight spread: the 0.1 ms (5%) shift is highly significant, and within tolerance.
    const fast = simulateLatency({
      experiments,
      perLoop: 1000,
      loops: 1,
      median: 2,
      sigma: 0.05,
      factor: 1,
      shift: 0.1,
      tolerance: { ratio: 0.1 },
      seed: 8_000_000,
      analyses: ['hdr-single'],
    });
    log('tiny shift', slow.worse, fast.worse, fast.significant, fast.notWorse);
    for (const key of tallyKeys(slow.worse)) expect(slow.worse[key], key).toBe(0);
    expect(fast.worse['hdr-single']).toBe(0);
    expect(fast.significant['hdr-single']).toBeGreaterThanOrEqual(powerBound(experiments, 0.9));
  }, 60_000);
});
