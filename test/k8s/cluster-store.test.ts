import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  appendHeader,
  appendLoop,
  defaultKeptLoops,
  emptyStore,
  experimentStartOf,
  lastLoopOf,
  loopsInSegment,
  needsHeader,
  toResultHistory,
} from '../../src/results/cluster-store.js';
import {
  decodeStore,
  encodeStore,
  fitStore,
  measureStore,
  secretLimitBytes,
  storeBudgetBytes,
  StoreFormatError,
} from '../../src/results/cluster-store-codec.js';
import { sloKey } from '../../src/results/cluster-store-summary.js';
import { renderEarlierLoops } from '../../src/results/cluster-store-report.js';
import { experimentState } from '../../src/results/assertions.js';
import {
  resultFormat,
  type HeaderRecord,
  type LoopRecord,
  type LoopStatus,
  type SloVerdict,
} from '../../src/results/records.js';
import { hashExperiment } from '../../src/results/result-file.js';
/** Realistic loop records for store tests: KServe-style metrics with rendered queries, seeded values. */

export const versions = ['sklearn-iris-predictor-default-00002', 'sklearn-iris-predictor-default-00001'];
export const metricNames = Array.from({ length: 20 }, (_, i) =>
  i < 4
    ? [
        'kserve-prometheus/error-count',
        'kserve-prometheus/latency-mean',
        'kserve-prometheus/latency-p90',
        'kserve-prometheus/request-count',
      ][i]!
    : `kserve-prometheus/latency-p${50 + i}`,
);
export const slos = [
  { metric: 'kserve-prometheus/error-count', op: '<=' as const, limit: 0 },
  { metric: 'kserve-prometheus/latency-mean', op: '<=' as const, limit: 25 },
  { metric: 'kserve-prometheus/latency-p90', op: '<=' as const, limit: 40 },
];
export const experimentHash = hashExperiment({ name: 'sklearn-iris' });

/** Deterministic pseudo-random numbers (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const start0 = Date.parse('2025-01-01T00:00:00Z');

/**
 * Loop `loop` with quarter-valued metrics (so sums are exact in floating point), every 97th value
 * missing, and SLO verdicts that follow the values.
 */
export function makeLoop(loop: number, random: () => number, status: LoopStatus = 'completed'): LoopRecord {
  const start = new Date(start0 + (loop - 1) * 60_000);
  const end = new Date(start.getTime() + 4_000 + Math.floor(random() * 2000));
  const metrics = versions.map((revision, v) =>
    Object.fromEntries(
      metricNames.map((name, m) => {
        const query = `sum(last_over_time(revision_app_request_latencies_count{service_name="sklearn-iris-predictor-default",revision_name="${revision}",metric="${name}"}[${loop * 60}s])) or on() vector(0)`;
        const missing = (loop * 40 + v * 20 + m) % 97 === 0;
        const value = missing ? null : Math.round(random() * 40 * 4) / 4;
        return [name, missing ? { value, reason: 'query returned no data', query } : { value, query }];
      }),
    ),
  );
  const verdicts: SloVerdict[] = versions.flatMap((_, v) =>
    slos.map((slo) => {
      const value = metrics[v]![slo.metric]!.value;
      const status = value === null ? 'nodata' : value <= slo.limit ? 'pass' : 'fail';
      return { ...slo, version: v, value, status, ...(value === null ? { reason: 'no value' } : {}) };
    }),
  );
  const at = (ms: number) => new Date(start.getTime() + ms).toISOString();
  return {
    kind: 'loop',
    loop,
    experimentHash,
    experimentStart: new Date(start0).toISOString(),
    start: start.toISOString(),
    end: end.toISOString(),
    durationMs: end.getTime() - start.getTime(),
    status,
    versions,
    tasks: [
      {
        id: 'ready',
        task: 'ready',
        status: 'completed',
        start: at(0),
        end: at(120),
        durationMs: 120,
        attempts: 1,
      },
      {
        id: 'custommetrics',
        task: 'custommetrics',
        status: 'completed',
        start: at(120),
        end: at(3800),
        durationMs: 3680,
        attempts: 1,
      },
      {
        id: 'assess',
        task: 'assess',
        status: status === 'completed' ? 'completed' : 'failed',
        start: at(3800),
        end: at(3810),
        durationMs: 10,
        attempts: 1,
      },
    ],
    metrics,
    metricInfo: Object.fromEntries(
      metricNames.map((name) => [
        name,
        { type: 'gauge' as const, units: 'ms', description: `${name} of the revision` },
      ]),
    ),
    slos: verdicts,
  };
}

describe('cluster store (pure)', () => {
  it('stays far under 1 MiB after 10,000 loops, with exact aggregates', () => {
    const random = seeded(42);
    let store = emptyStore();
    store = appendHeader(store, header());
    const all: LoopRecord[] = [];
    const sizes: number[] = [];
    for (let loop = 1; loop <= 10_000; loop++) {
      const record = makeLoop(loop, random, loop % 50 === 0 ? 'failed' : 'completed');
      all.push(record);
      store = appendLoop(store, record, { pod: `canary-default-${loop}-abcde` }).store;
      if (loop % 1000 === 0) sizes.push(measureStore(store).gzip);
    }
    const size = measureStore(store);
    console.log(
      `store after 10,000 loops: ${size.gzip} bytes gzipped (${size.base64} base64, ${size.json} JSON); checkpoints ${sizes.join(', ')}`,
    );
    expect(size.gzip).toBeLessThan(secretLimitBytes);
    expect(size.base64).toBeLessThan(secretLimitBytes);
    expect(size.gzip).toBeLessThan(storeBudgetBytes);
    // Bounded: the size after 10,000 loops is no larger than after 1,000 (give or take noise).
    expect(Math.max(...sizes)).toBeLessThan(sizes[0]! * 1.05);

    expect(store.loops).toHaveLength(defaultKeptLoops);
    expect(store.loops[0]!.loop).toBe(9951);
    expect(Object.keys(store.pods)).toHaveLength(defaultKeptLoops);
    expect(lastLoopOf(store)).toBe(10_000);
    const earlier = store.earlier;
    expect(earlier).toMatchObject({
      loops: 9950,
      firstLoop: 1,
      lastLoop: 9950,
      firstStart: all[0]!.start,
      lastEnd: all[9949]!.end,
      status: { completed: 9950 - 199, failed: 199 },
    });

    // Every aggregate equals the same statistic computed over all loops, the kept ones included.
    const kept = store.loops;
    versions.forEach((version, v) => {
      for (const name of metricNames) {
        const values = all.map((r) => r.metrics[v]![name]!.value);
        const present = values.filter((x): x is number => x !== null);
        const keptValues = kept.map((r) => r.metrics[v]![name]!.value).filter((x): x is number => x !== null);
        const a = earlier.metrics[version]![name]!;
        expect(a.count + keptValues.length).toBe(present.length);
        expect(a.nodata + kept.filter((r) => r.metrics[v]![name]!.value === null).length).toBe(
          values.length - present.length,
        );
        expect(a.sum + keptValues.reduce((s, x) => s + x, 0)).toBe(present.reduce((s, x) => s + x, 0));
        const summarized = all
          .slice(0, 9950)
          .map((r) => r.metrics[v]![name]!.value)
          .filter((x): x is number => x !== null);
        expect(a.min).toBe(Math.min(...summarized));
        expect(a.max).toBe(Math.max(...summarized));
        expect(a.last).toBe(summarized.at(-1));
      }
      for (const slo of slos) {
        const counts = earlier.slos[version]![sloKey(slo)]!;
        const verdicts = all
          .slice(0, 9950)
          .map((r) => r.slos.find((s) => s.version === v && s.metric === slo.metric)!.status);
        expect(counts).toEqual({
          pass: verdicts.filter((s) => s === 'pass').length,
          fail: verdicts.filter((s) => s === 'fail').length,
          nodata: verdicts.filter((s) => s === 'nodata').length,
        });
        expect(counts.pass + counts.fail + counts.nodata).toBe(9950);
      }
    });

    // The encoded store reads back whole, and serves the local assert and report code.
    const decoded = decodeStore(encodeStore(store));
    expect(decoded).toEqual(JSON.parse(JSON.stringify(store)));
    const history = toResultHistory(decoded, 'secret default/canary-default-results');
    expect(history.loops.at(-1)!.loop).toBe(10_000);
    expect(experimentState(history).latest!.loop).toBe(10_000);
    expect(renderEarlierLoops(decoded.earlier, 'text')).toContain(
      'Earlier loops (summarized): 9950 loops, 1-9950',
    );
    expect(renderEarlierLoops(decoded.earlier, 'markdown')).toContain('| kserve-prometheus/latency-mean |');
  });

  it('renumbers a loop that another writer already took, keeping numbers contiguous', () => {
    const random = seeded(1);
    let store = appendHeader(emptyStore(), header());
    store = appendLoop(store, makeLoop(1, random), { pod: 'pod-a' }).store;
    const second = appendLoop(store, makeLoop(1, random), { pod: 'pod-b' });
    expect(second.record.loop).toBe(2);
    expect(second.store.loops.map((r) => r.loop)).toEqual([1, 2]);
    expect(second.store.pods).toEqual({ '1': 'pod-a', '2': 'pod-b' });
  });

  it('knows the segment: header needed, experiment start, loops under the header', () => {
    const random = seeded(2);
    const empty = emptyStore();
    expect(needsHeader(empty, experimentHash)).toBe(true);
    expect(lastLoopOf(empty)).toBe(0);
    let store = appendHeader(empty, header());
    store = appendLoop(store, makeLoop(1, random)).store;
    store = appendLoop(store, makeLoop(2, random)).store;
    expect(needsHeader(store, experimentHash)).toBe(false);
    expect(needsHeader(store, 'sha256:other')).toBe(true);
    expect(experimentStartOf(store, experimentHash)).toBe('2025-01-01T00:00:00.000Z');
    expect(experimentStartOf(store, 'sha256:other')).toBeUndefined();
    expect(loopsInSegment(store)).toBe(2);
    const changed = appendHeader(store, { ...header(), experimentHash: 'sha256:other', firstLoop: 3 });
    expect(loopsInSegment(changed)).toBe(0);
    expect(lastLoopOf(changed)).toBe(2);
  });

  it('folds more loops when single loops are large, to stay within the budget', () => {
    const random = seeded(3);
    let store = appendHeader(emptyStore(), header());
    for (let loop = 1; loop <= 30; loop++) {
      const record = makeLoop(loop, random);
      // 16 KiB of incompressible script output per loop, as a chatty `run` task leaves.
      record.tasks[0]!.output = Array.from({ length: 16 * 1024 }, () =>
        String.fromCharCode(33 + Math.floor(random() * 90)),
      ).join('');
      store = appendLoop(store, record).store;
    }
    const budget = 128 * 1024;
    expect(encodeStore(store).length).toBeGreaterThan(budget);
    const fitted = fitStore(store, budget);
    expect(fitted.bytes.length).toBeLessThanOrEqual(budget);
    expect(fitted.folded).toBeGreaterThan(0);
    expect(fitted.store.loops.length + fitted.store.earlier.loops).toBe(30);
    expect(fitted.store.loops.at(-1)!.loop).toBe(30);
    expect(() => fitStore(store, 8 * 1024)).toThrow(/over its 8 KiB budget/);
  });

  it('reads an empty value as a new store and refuses what it cannot read', () => {
    expect(decodeStore(undefined)).toEqual(emptyStore());
    expect(decodeStore(Buffer.alloc(0))).toEqual(emptyStore());
    expect(() => decodeStore(Buffer.from('not gzip'))).toThrow(StoreFormatError);
    expect(() => decodeStore(gzipSync(JSON.stringify({ format: 'canary.cluster-store/v9' })))).toThrow(
      /format "canary.cluster-store\/v9"; this canary reads canary.cluster-store\/v1/,
    );
  });
});

function header(): HeaderRecord {
  return {
    kind: 'header',
    format: resultFormat,
    tool: { name: 'canary', version: '0.1.0' },
    created: '2025-01-01T00:00:00.000Z',
    experimentHash,
    firstLoop: 1,
    experiment: {
      apiVersion: 'canary/v1',
      kind: 'Experiment',
      metadata: { name: 'sklearn-iris' },
      spec: { concurrency: 4, tasks: [] },
    },
  };
}
