import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runExperiment, ticksAfter, type ExperimentRunOptions } from '../../src/engine/run-experiment.js';
import { ResultObserver } from '../../src/cli/result-observer.js';
import { ResultWriter } from '../../src/results/result-file.js';
import type { ResultRecord } from '../../src/results/records.js';
import type { Plan } from '../../src/plan/plan.js';
import { makePlan, noop, Recorder, registryOf, testExperiment, within, withTempDir } from './helpers.js';

function options(plan: Plan, extra: Partial<ExperimentRunOptions> = {}): ExperimentRunOptions {
  return {
    plan,
    registry: registryOf({ a: noop }),
    experimentHash: 'sha256:exp',
    experimentDir: process.cwd(),
    firstLoop: 1,
    signal: new AbortController().signal,
    observers: [],
    ...extra,
  };
}

describe('runExperiment without a schedule', () => {
  it('runs one loop by default', async () => {
    const recorder = new Recorder();
    const outcome = await runExperiment(options(makePlan([{ id: 'a' }]), { observers: [recorder] }));
    expect(outcome.reason).toBe('done');
    expect(outcome.loops.map((l) => l.loop)).toEqual([1]);
    expect(recorder.events.map((e) => e.type)).toEqual([
      'experiment-start',
      'loop-start',
      'task-start',
      'task-end',
      'loop-end',
      'experiment-end',
    ]);
    expect(recorder.of('experiment-end')[0]).toMatchObject({ reason: 'done', loops: 1 });
  });

  it('runs `loops` loops back to back, numbered from firstLoop', async () => {
    const recorder = new Recorder();
    const seen: number[] = [];
    const registry = registryOf({ a: async (_input, context) => void seen.push(context.loop) });
    const outcome = await runExperiment(
      options(makePlan([{ id: 'a' }]), { registry, loops: 3, firstLoop: 5, observers: [recorder] }),
    );
    expect(outcome.reason).toBe('done');
    expect(outcome.loops.map((l) => l.loop)).toEqual([5, 6, 7]);
    expect(seen).toEqual([5, 6, 7]);
    expect(recorder.of('wait')).toEqual([]);
    expect(recorder.of('experiment-start')[0]).toMatchObject({ firstLoop: 5 });
    // Loops never overlap.
    for (let i = 1; i < outcome.loops.length; i++) {
      expect(Date.parse(outcome.loops[i]!.start)).toBeGreaterThanOrEqual(
        Date.parse(outcome.loops[i - 1]!.end),
      );
    }
  });

  it('runs maxLoops loops and says so', async () => {
    const outcome = await runExperiment(options(makePlan([{ id: 'a' }], { maxLoops: 2 })));
    expect(outcome.loops).toHaveLength(2);
    expect(outcome.reason).toBe('max-loops');
  });

  it('lets `loops` override maxLoops', async () => {
    const outcome = await runExperiment(options(makePlan([{ id: 'a' }], { maxLoops: 5 }), { loops: 1 }));
    expect(outcome.loops).toHaveLength(1);
    expect(outcome.reason).toBe('done');
  });

  it('goes on after a failed loop', async () => {
    const registry = registryOf({
      a: async (_input, context) => {
        if (context.loop === 1) throw new Error('first loop broke');
      },
    });
    const outcome = await runExperiment(options(makePlan([{ id: 'a' }]), { registry, loops: 2 }));
    expect(outcome.loops.map((l) => l.status)).toEqual(['error', 'completed']);
    expect(outcome.reason).toBe('done');
  });

  it('starts every loop with a clean metric board', async () => {
    const plan = makePlan([
      { id: 'measure' },
      { id: 'assess', task: 'assess', needs: ['measure'], with: { SLOs: { upper: { 'p/latency': 10 } } } },
    ]);
    const registry = registryOf({
      measure: async (_input, context) => {
        if (context.loop === 1) context.metrics.record(0, 'p/latency', 5);
      },
    });
    const outcome = await runExperiment(options(plan, { registry, loops: 2 }));
    const [first, second] = outcome.loops;
    expect(first!.metrics).toEqual([{ 'p/latency': { value: 5 } }]);
    expect(first!.slos).toEqual([expect.objectContaining({ status: 'pass', value: 5 })]);
    expect(second!.metrics).toEqual([{}]);
    expect(second!.slos).toEqual([
      expect.objectContaining({ status: 'nodata', value: null, reason: 'metric not observed' }),
    ]);
  });

  it('stops after the loop during which it was interrupted', async () => {
    const controller = new AbortController();
    const registry = registryOf({
      a: async (_input, context) => {
        if (context.loop === 2) controller.abort();
      },
    });
    const recorder = new Recorder();
    const outcome = await runExperiment(
      options(makePlan([{ id: 'a' }, { id: 'b', task: 'a', needs: ['a'] }]), {
        registry,
        loops: 5,
        signal: controller.signal,
        observers: [recorder],
      }),
    );
    expect(outcome.reason).toBe('interrupted');
    expect(outcome.loops.map((l) => [l.loop, l.status])).toEqual([
      [1, 'completed'],
      [2, 'interrupted'],
    ]);
    expect(recorder.of('experiment-end')[0]).toMatchObject({ reason: 'interrupted', loops: 2 });
  });

  it('runs no loop when interrupted before it starts', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await runExperiment(options(makePlan([{ id: 'a' }]), { signal: controller.signal }));
    expect(outcome).toEqual({ loops: [], reason: 'interrupted' });
  });
});

describe('runExperiment with a schedule', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('writes header, loop 1, loop 2 and end to the result file for a two-loop cron run', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'results', 'test.jsonl');
      const writer = await ResultWriter.open(file);
      const observer = new ResultObserver(writer, testExperiment(), 'sha256:cron', 'experiments/test.yaml');
      const recorder = new Recorder();
      const plan = makePlan([{ id: 'a' }], { schedule: '*/1 * * * * *' });
      const outcome = await runExperiment(
        options(plan, { experimentHash: 'sha256:cron', loops: 2, observers: [observer, recorder] }),
      );
      expect(outcome.reason).toBe('done');
      expect(outcome.loops.map((l) => l.loop)).toEqual([1, 2]);

      const text = await readFile(file, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      const records = text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as ResultRecord);
      expect(records.map((r) => r.kind)).toEqual(['header', 'loop', 'loop', 'end']);
      const [header, loop1, loop2, end] = records;
      expect(header).toMatchObject({
        kind: 'header',
        format: 'canary.result/v1',
        firstLoop: 1,
        source: 'experiments/test.yaml',
      });
      expect(loop1).toMatchObject({ kind: 'loop', loop: 1, status: 'completed' });
      expect(loop2).toMatchObject({ kind: 'loop', loop: 2, status: 'completed' });
      expect(end).toMatchObject({ kind: 'end', reason: 'done', loops: 2, lastLoop: 2 });
      expect(records.every((r) => r.experimentHash === 'sha256:cron')).toBe(true);

      // The second loop ran at a whole-second tick after the first loop ended.
      const wait = recorder.of('wait');
      expect(wait).toHaveLength(1);
      expect(wait[0]!.loop).toBe(2);
      expect(wait[0]!.until.getMilliseconds()).toBe(0);
      expect(wait[0]!.until.getTime()).toBeGreaterThan(Date.parse((loop1 as { end: string }).end));
      expect(Date.parse((loop2 as { start: string }).start)).toBeGreaterThanOrEqual(wait[0]!.until.getTime());
    });
  });

  it('records the ticks that passed during a long loop as skipped in the next loop', async () => {
    const plan = makePlan([{ id: 'a' }], { schedule: '*/1 * * * * *' });
    const registry = registryOf({
      a: async (_input, context) => {
        if (context.loop !== 1) return;
        // Outlast at least one whole-second tick, however the loop is aligned.
        const until = Date.now() + 1100;
        while (Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      },
    });
    const outcome = await runExperiment(options(plan, { registry, loops: 2 }));
    const [first, second] = outcome.loops;
    expect(first!.skippedTicks).toBeUndefined();
    expect(second!.skippedTicks?.length).toBeGreaterThanOrEqual(1);
    for (const tick of second!.skippedTicks!) {
      expect(Date.parse(tick)).toBeGreaterThan(Date.parse(first!.start));
      expect(Date.parse(tick)).toBeLessThanOrEqual(Date.parse(first!.end));
    }
  });

  it('ends promptly when interrupted while waiting for the next tick', async () => {
    const controller = new AbortController();
    // Next tick: 1 January, at most a year away.
    const plan = makePlan([{ id: 'a' }], { schedule: '0 0 1 1 *' });
    const recorder = new Recorder((event) => {
      if (event.type === 'wait') setImmediate(() => controller.abort());
    });
    const outcome = await within(
      runExperiment(options(plan, { signal: controller.signal, observers: [recorder] })),
      'the run to end after the abort',
    );
    expect(outcome.reason).toBe('interrupted');
    expect(outcome.loops).toHaveLength(1);
    expect(outcome.loops[0]!.status).toBe('completed');
    expect(recorder.of('wait')[0]!.until.getTime()).toBeGreaterThan(Date.now());
    expect(recorder.of('experiment-end')[0]).toMatchObject({ reason: 'interrupted', loops: 1 });
  });

  it('waits for a tick further away than a Node timer can (about 24.8 days)', async () => {
    // The 1st of the month after next: always 30 to 62 days away.
    const month = ((new Date().getMonth() + 2) % 12) + 1;
    const plan = makePlan([{ id: 'a' }], { schedule: `0 0 1 ${month} *` });
    const controller = new AbortController();
    const recorder = new Recorder((event) => {
      // Long enough for an overflowing timer (which fires after 1 ms) to have started loop 2.
      if (event.type === 'wait') setTimeout(() => controller.abort(), 200);
    });
    const outcome = await within(
      runExperiment(options(plan, { loops: 2, signal: controller.signal, observers: [recorder] })),
      'the run to end after the abort',
    );
    expect(recorder.of('wait')[0]!.until.getTime() - Date.now()).toBeGreaterThan(2 ** 31);
    expect(outcome.loops).toHaveLength(1);
    expect(outcome.reason).toBe('interrupted');
  });

  it('runs each loop at its own tick even when a timer fires a little early', async () => {
    // Node timers may fire up to a millisecond before the wall-clock time asked for; simulate a worse case.
    const realSetTimeout = globalThis.setTimeout;
    vi.stubGlobal('setTimeout', ((fn: () => void, ms?: number) =>
      realSetTimeout(fn, Math.max(0, (ms ?? 0) - 20))) as typeof setTimeout);
    const plan = makePlan([{ id: 'a' }], { schedule: '*/1 * * * * *' });
    const outcome = await runExperiment(options(plan, { loops: 3 }));
    vi.unstubAllGlobals();
    const seconds = outcome.loops.map((l) => Math.floor(Date.parse(l.start) / 1000));
    expect(new Set(seconds).size).toBe(3);
  });
});

describe('ticksAfter', () => {
  const at = (time: string) => new Date(`2024-05-01T${time}Z`);

  it('is the next tick after the loop ended, with nothing missed for a short loop', () => {
    const { next, missed } = ticksAfter('*/10 * * * * *', at('10:00:00.005'), at('10:00:03.000'));
    expect(next.toISOString()).toBe('2024-05-01T10:00:10.000Z');
    expect(missed).toEqual([]);
  });

  it('lists every tick that fell during a long loop, and never queues them', () => {
    const { next, missed } = ticksAfter('*/10 * * * * *', at('10:00:00.005'), at('10:00:35.000'));
    expect(missed).toEqual([
      '2024-05-01T10:00:10.000Z',
      '2024-05-01T10:00:20.000Z',
      '2024-05-01T10:00:30.000Z',
    ]);
    expect(next.toISOString()).toBe('2024-05-01T10:00:40.000Z');
  });

  it('counts a tick at the very end of the loop as missed', () => {
    const { next, missed } = ticksAfter('*/10 * * * * *', at('10:00:00.005'), at('10:00:10.000'));
    expect(missed).toEqual(['2024-05-01T10:00:10.000Z']);
    expect(next.toISOString()).toBe('2024-05-01T10:00:20.000Z');
  });

  it('works with five-field (minute) schedules', () => {
    const { next, missed } = ticksAfter('*/5 * * * *', at('10:00:00.100'), at('10:12:30.000'));
    expect(missed).toEqual(['2024-05-01T10:05:00.000Z', '2024-05-01T10:10:00.000Z']);
    expect(next.toISOString()).toBe('2024-05-01T10:15:00.000Z');
  });
});
