import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLoop, type LoopOptions } from '../../src/engine/run-loop.js';
import { TaskError } from '../../src/errors.js';
import type { Plan } from '../../src/plan/plan.js';
import type { TaskOutcome } from '../../src/results/records.js';
import type { TaskRegistry } from '../../src/tasks/registry.js';
import {
  latch,
  makePlan,
  noop,
  Recorder,
  registryOf,
  untilStopped,
  within,
  withTempDir,
  yieldToEventLoop,
} from './helpers.js';

function loopWith(plan: Plan, registry: TaskRegistry, extra: Partial<LoopOptions> = {}) {
  const recorder = new Recorder();
  const options: LoopOptions = {
    plan,
    registry,
    loop: 1,
    experimentHash: 'sha256:test',
    experimentDir: process.cwd(),
    experimentStart: new Date('2026-01-01T00:00:00Z'),
    values: {},
    signal: new AbortController().signal,
    observers: [recorder],
    ...extra,
  };
  return { recorder, run: () => runLoop(options) };
}

function outcome(tasks: TaskOutcome[], id: string): TaskOutcome {
  const found = tasks.find((t) => t.id === id);
  expect(found, `outcome of ${id}`).toBeDefined();
  return found!;
}

/** A task body that counts how many such bodies run at once. */
function overlapMeter() {
  let active = 0;
  let max = 0;
  const order: string[] = [];
  const body = (name: string) => async () => {
    active++;
    max = Math.max(max, active);
    order.push(`start:${name}`);
    for (let i = 0; i < 5; i++) await yieldToEventLoop();
    order.push(`end:${name}`);
    active--;
  };
  return { body, order, max: () => max };
}

describe('runLoop: order and concurrency', () => {
  it('runs a sequential chain in order, one task at a time, even when an early task is slow', async () => {
    const meter = overlapMeter();
    const plan = makePlan(
      [{ id: 'a' }, { id: 'b', needs: ['a'] }, { id: 'c', needs: ['b'] }, { id: 'd', needs: ['c'] }],
      { concurrency: 4 },
    );
    const { recorder, run } = loopWith(
      plan,
      registryOf({ a: meter.body('a'), b: meter.body('b'), c: meter.body('c'), d: meter.body('d') }),
    );
    const record = await run();
    expect(record.status).toBe('completed');
    expect(meter.order).toEqual([
      'start:a',
      'end:a',
      'start:b',
      'end:b',
      'start:c',
      'end:c',
      'start:d',
      'end:d',
    ]);
    expect(meter.max()).toBe(1);
    expect(recorder.timeline).toEqual([
      'start:a',
      'end:a',
      'start:b',
      'end:b',
      'start:c',
      'end:c',
      'start:d',
      'end:d',
    ]);
    expect(record.tasks.map((t) => t.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(record.tasks.every((t) => t.status === 'completed' && t.attempts === 1)).toBe(true);
  });

  it('runs the two middle tasks of a diamond at the same time', async () => {
    const bStarted = latch();
    const cStarted = latch();
    const plan = makePlan(
      [{ id: 'a' }, { id: 'b', needs: ['a'] }, { id: 'c', needs: ['a'] }, { id: 'd', needs: ['b', 'c'] }],
      {
        concurrency: 2,
      },
    );
    const registry = registryOf({
      a: noop,
      // Each waits until the other has started: this only finishes when they overlap.
      b: async () => {
        bStarted.open();
        await within(cStarted.promise, 'c to start while b runs');
      },
      c: async () => {
        cStarted.open();
        await within(bStarted.promise, 'b to start while c runs');
      },
      d: noop,
    });
    const { recorder, run } = loopWith(plan, registry);
    const record = await run();
    expect(record.tasks.map((t) => [t.id, t.status, t.message])).toEqual([
      ['a', 'completed', undefined],
      ['b', 'completed', undefined],
      ['c', 'completed', undefined],
      ['d', 'completed', undefined],
    ]);
    const timeline = recorder.timeline;
    expect(timeline[0]).toBe('start:a');
    expect(timeline.indexOf('start:d')).toBeGreaterThan(
      Math.max(timeline.indexOf('end:b'), timeline.indexOf('end:c')),
    );
  });

  it('never overlaps tasks with concurrency 1', async () => {
    const meter = overlapMeter();
    const plan = makePlan(
      [{ id: 'a' }, { id: 'b', needs: ['a'] }, { id: 'c', needs: ['a'] }, { id: 'd', needs: ['b', 'c'] }],
      {
        concurrency: 1,
      },
    );
    const { run } = loopWith(
      plan,
      registryOf({ a: meter.body('a'), b: meter.body('b'), c: meter.body('c'), d: meter.body('d') }),
    );
    const record = await run();
    expect(record.status).toBe('completed');
    expect(meter.max()).toBe(1);
    expect(meter.order).toEqual([
      'start:a',
      'end:a',
      'start:b',
      'end:b',
      'start:c',
      'end:c',
      'start:d',
      'end:d',
    ]);
  });

  it('does overlap the same tasks when concurrency allows (control for the test above)', async () => {
    const meter = overlapMeter();
    const plan = makePlan(
      [{ id: 'a' }, { id: 'b', needs: ['a'] }, { id: 'c', needs: ['a'] }, { id: 'd', needs: ['b', 'c'] }],
      {
        concurrency: 2,
      },
    );
    const { run } = loopWith(
      plan,
      registryOf({ a: meter.body('a'), b: meter.body('b'), c: meter.body('c'), d: meter.body('d') }),
    );
    await run();
    expect(meter.max()).toBe(2);
  });

  it('bounds the number of running tasks by concurrency', async () => {
    const meter = overlapMeter();
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const plan = makePlan(
      ids.map((id) => ({ id, task: 'work' })),
      { concurrency: 3 },
    );
    let n = 0;
    const { run } = loopWith(plan, registryOf({ work: async () => meter.body(`t${n++}`)() }));
    const record = await run();
    expect(record.tasks.map((t) => t.status)).toEqual(ids.map(() => 'completed'));
    expect(meter.max()).toBe(3);
  });

  it('starts a task as soon as its own needs are done, not wave by wave', async () => {
    // a is slow (held until c starts); c needs only b. Waves would be [a, b], [c].
    const cStarted = latch();
    const plan = makePlan([
      { id: 'a' },
      { id: 'b' },
      { id: 'c', needs: ['b'] },
      { id: 'd', needs: ['a', 'c'] },
    ]);
    const registry = registryOf({
      a: () => within(cStarted.promise, 'c to start while a runs'),
      b: noop,
      c: async () => cStarted.open(),
      d: noop,
    });
    const { recorder, run } = loopWith(plan, registry);
    const record = await run();
    expect(record.status).toBe('completed');
    expect(recorder.timeline.indexOf('start:c')).toBeLessThan(recorder.timeline.indexOf('end:a'));
  });
});

describe('runLoop: failures and errors', () => {
  it('a failed task stops what depends on it; an independent branch still runs', async () => {
    const ran: string[] = [];
    const track = (id: string) => async () => void ran.push(id);
    const plan = makePlan([
      { id: 'a' },
      { id: 'b', needs: ['a'] },
      { id: 'c', needs: ['b'] },
      { id: 'x' },
      { id: 'y', needs: ['x'] },
    ]);
    const registry = registryOf({
      a: async () => {
        throw new TaskError('the canary is sick', 'failure');
      },
      b: track('b'),
      c: track('c'),
      x: track('x'),
      y: track('y'),
    });
    const { recorder, run } = loopWith(plan, registry);
    const record = await run();
    expect(record.status).toBe('failed');
    expect(outcome(record.tasks, 'a')).toMatchObject({
      status: 'failed',
      message: 'the canary is sick',
      attempts: 1,
    });
    expect(outcome(record.tasks, 'b')).toMatchObject({ status: 'not-run', message: 'needs a, which failed' });
    expect(outcome(record.tasks, 'c')).toMatchObject({
      status: 'not-run',
      message: 'needs b, which did not run',
    });
    expect(outcome(record.tasks, 'x').status).toBe('completed');
    expect(outcome(record.tasks, 'y').status).toBe('completed');
    expect(ran.sort()).toEqual(['x', 'y']);
    // Tasks that never ran have no start event, but do have an end event.
    expect(recorder.of('task-start').map((e) => e.id)).not.toContain('b');
    expect(
      recorder
        .of('task-end')
        .map((e) => e.outcome.id)
        .sort(),
    ).toEqual(['a', 'b', 'c', 'x', 'y']);
  });

  it('an execution error (plain Error) is status error, and so is the loop', async () => {
    const plan = makePlan([{ id: 'a' }, { id: 'b', needs: ['a'] }]);
    const registry = registryOf({
      a: async () => {
        throw new Error('connection refused');
      },
      b: noop,
    });
    const record = await loopWith(plan, registry).run();
    expect(record.status).toBe('error');
    expect(outcome(record.tasks, 'a')).toMatchObject({ status: 'error', message: 'connection refused' });
    expect(outcome(record.tasks, 'b')).toMatchObject({
      status: 'not-run',
      message: 'needs a, which could not run',
    });
  });

  it('an error outweighs a failure in the loop status', async () => {
    const plan = makePlan([{ id: 'f' }, { id: 'e' }]);
    const registry = registryOf({
      f: async () => {
        throw new TaskError('bad', 'failure');
      },
      e: async () => {
        throw new TaskError('unreachable', 'error');
      },
    });
    const record = await loopWith(plan, registry).run();
    expect(record.tasks.map((t) => t.status)).toEqual(['failed', 'error']);
    expect(record.status).toBe('error');
  });

  it('an unknown task is an error, not a crash', async () => {
    const plan = makePlan([{ id: 'a', task: 'no-such-task' }]);
    const record = await loopWith(plan, registryOf({})).run();
    expect(record.status).toBe('error');
    expect(record.tasks[0]).toMatchObject({ status: 'error', message: 'unknown task no-such-task' });
  });

  it('a non-Error throw is reported with its text', async () => {
    const plan = makePlan([{ id: 'a' }]);
    const record = await loopWith(
      plan,
      registryOf({
        a: async () => {
          throw 'just a string';
        },
      }),
    ).run();
    expect(record.tasks[0]).toMatchObject({ status: 'error', message: 'just a string' });
  });
});

describe('runLoop: conditions', () => {
  const plan = makePlan([
    { id: 'first' },
    { id: 'later', task: 'count', needs: ['first'], if: 'loop > 1' },
    { id: 'after', needs: ['later'] },
  ]);

  it('skips a task whose condition is false; a skipped task satisfies its dependents', async () => {
    let count = 0;
    const registry = registryOf({ first: noop, count: async () => void count++, after: noop });
    const record = await loopWith(plan, registry, { loop: 1 }).run();
    expect(record.status).toBe('completed');
    expect(outcome(record.tasks, 'later')).toMatchObject({
      status: 'skipped',
      message: 'condition is false: loop > 1',
    });
    expect(outcome(record.tasks, 'after').status).toBe('completed');
    expect(count).toBe(0);
  });

  it('runs the same task when the condition holds', async () => {
    let count = 0;
    const registry = registryOf({ first: noop, count: async () => void count++, after: noop });
    const record = await loopWith(plan, registry, { loop: 2 }).run();
    expect(outcome(record.tasks, 'later').status).toBe('completed');
    expect(count).toBe(1);
  });

  it('sees values in conditions', async () => {
    const p = makePlan([
      { id: 'a', if: 'values.enabled' },
      { id: 'b', if: 'not values.enabled' },
    ]);
    const record = await loopWith(p, registryOf({ a: noop, b: noop }), { values: { enabled: true } }).run();
    expect(record.tasks.map((t) => t.status)).toEqual(['completed', 'skipped']);
  });

  it('a condition that cannot be evaluated is an error, not a guess', async () => {
    let ran = false;
    const p = makePlan([
      { id: 'a', if: 'values.x | nosuchfilter' },
      { id: 'b', needs: ['a'] },
    ]);
    const record = await loopWith(p, registryOf({ a: async () => void (ran = true), b: noop })).run();
    expect(ran).toBe(false);
    expect(record.status).toBe('error');
    const a = outcome(record.tasks, 'a');
    expect(a.status).toBe('error');
    expect(a.message).toMatch(/^condition "values.x \| nosuchfilter" could not be evaluated: .*nosuchfilter/);
    expect(outcome(record.tasks, 'b')).toMatchObject({
      status: 'not-run',
      message: 'needs a, which could not run',
    });
  });
});

describe('runLoop: timeouts and retries', () => {
  it('stops a task that never resolves and ignores its signal at its timeout', async () => {
    const plan = makePlan([
      { id: 'hang', timeoutMs: 50 },
      { id: 'next', needs: ['hang'] },
    ]);
    const registry = registryOf({ hang: () => new Promise<void>(() => {}), next: noop });
    const record = await within(loopWith(plan, registry).run(), 'the loop to end after the timeout');
    expect(outcome(record.tasks, 'hang')).toMatchObject({ status: 'error', message: 'timed out after 50ms' });
    expect(outcome(record.tasks, 'next').status).toBe('not-run');
    expect(record.status).toBe('error');
  });

  it('gives a task that honours its signal an aborted signal at its timeout', async () => {
    let sawAbort = false;
    const plan = makePlan([{ id: 'polite', timeoutMs: 30 }]);
    const registry = registryOf({
      polite: (_input, context) =>
        new Promise<void>((_, reject) => {
          context.signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(new Error('aborted by signal'));
          });
        }),
    });
    const record = await within(loopWith(plan, registry).run(), 'the loop to end after the timeout');
    expect(sawAbort).toBe(true);
    expect(record.tasks[0]).toMatchObject({ status: 'error', message: 'timed out after 30ms' });
  });

  it('retries execution errors: two errors then success with retries 2 completes after 3 attempts', async () => {
    let calls = 0;
    const plan = makePlan([{ id: 'flaky', retries: 2 }]);
    const registry = registryOf({
      flaky: async () => {
        calls++;
        if (calls < 3) throw new Error(`transient ${calls}`);
        return { output: 'ok at last' };
      },
    });
    const { recorder, run } = loopWith(plan, registry);
    const record = await run();
    expect(calls).toBe(3);
    expect(record.tasks[0]).toMatchObject({ status: 'completed', attempts: 3, output: 'ok at last' });
    expect(record.status).toBe('completed');
    expect(recorder.of('task-start')).toHaveLength(1);
  });

  it('gives up after the last retry with the last error', async () => {
    let calls = 0;
    const plan = makePlan([{ id: 'down', retries: 1 }]);
    const registry = registryOf({
      down: async () => {
        calls++;
        throw new Error(`still down (${calls})`);
      },
    });
    const record = await loopWith(plan, registry).run();
    expect(calls).toBe(2);
    expect(record.tasks[0]).toMatchObject({ status: 'error', attempts: 2, message: 'still down (2)' });
  });

  it('does not retry a failure: it would be judged bad again', async () => {
    let calls = 0;
    const plan = makePlan([{ id: 'judge', retries: 3 }]);
    const registry = registryOf({
      judge: async () => {
        calls++;
        throw new TaskError('SLO breached', 'failure');
      },
    });
    const record = await loopWith(plan, registry).run();
    expect(calls).toBe(1);
    expect(record.tasks[0]).toMatchObject({ status: 'failed', attempts: 1, message: 'SLO breached' });
    expect(record.status).toBe('failed');
  });

  it('retries a timeout like any execution error', async () => {
    let calls = 0;
    const plan = makePlan([{ id: 'slow-once', timeoutMs: 40, retries: 1 }]);
    const registry = registryOf({
      'slow-once': async () => {
        calls++;
        if (calls === 1) await new Promise<void>(() => {});
      },
    });
    const record = await within(loopWith(plan, registry).run(), 'the retried task');
    expect(record.tasks[0]).toMatchObject({ status: 'completed', attempts: 2 });
  });
});

describe('runLoop: interruption', () => {
  it('an abort mid-task interrupts it; pending tasks do not run; the loop is interrupted', async () => {
    const controller = new AbortController();
    const started = latch();
    let laterRan = false;
    const plan = makePlan([
      { id: 'busy' },
      { id: 'later', needs: ['busy'] },
      { id: 'last', needs: ['later'] },
    ]);
    const registry = registryOf({
      // Ignores its signal on purpose: the engine must not wait for it.
      busy: async () => {
        started.open();
        await new Promise<void>(() => {});
      },
      later: async () => void (laterRan = true),
      last: async () => void (laterRan = true),
    });
    const { run } = loopWith(plan, registry, { signal: controller.signal });
    const pending = run();
    await within(started.promise, 'busy to start');
    controller.abort();
    const record = await within(pending, 'the interrupted loop to end');
    expect(record.status).toBe('interrupted');
    expect(outcome(record.tasks, 'busy')).toMatchObject({ status: 'interrupted' });
    expect(outcome(record.tasks, 'later')).toMatchObject({
      status: 'not-run',
      message: 'the loop was interrupted',
    });
    expect(outcome(record.tasks, 'last').status).toBe('not-run');
    expect(laterRan).toBe(false);
  });

  it('interrupts a task waiting between retries', async () => {
    const controller = new AbortController();
    let calls = 0;
    const plan = makePlan([{ id: 'flaky', retries: 5 }]);
    const registry = registryOf({
      flaky: async () => {
        calls++;
        // Abort during the back-off that follows this first error.
        setImmediate(() => controller.abort());
        throw new Error('transient');
      },
    });
    const record = await within(
      loopWith(plan, registry, { signal: controller.signal }).run(),
      'the interrupted loop',
    );
    expect(calls).toBe(1);
    expect(record.tasks[0]!.status).toBe('interrupted');
    expect(record.status).toBe('interrupted');
  });

  it('a loop started after the abort runs nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    let ran = false;
    const plan = makePlan([{ id: 'a' }]);
    const record = await loopWith(plan, registryOf({ a: async () => void (ran = true) }), {
      signal: controller.signal,
    }).run();
    expect(ran).toBe(false);
    expect(record.status).toBe('interrupted');
    expect(record.tasks[0]).toMatchObject({ status: 'not-run' });
  });
});

describe('runLoop: metrics, SLOs and workDir', () => {
  it('assess reads metrics recorded by an earlier task: pass, fail, nodata with reasons', async () => {
    const plan = makePlan(
      [
        { id: 'measure' },
        {
          id: 'assess',
          task: 'assess',
          needs: ['measure'],
          with: {
            SLOs: {
              upper: { 'p/latency': 25, 'p/errors': 0, 'p/missing': 1, 'p/nan': 1, 'p/inf': 1 },
              lower: [{ metric: 'p/throughput', limit: 100 }],
            },
          },
        },
      ],
      { versions: ['baseline', 'candidate'] },
    );
    const registry = registryOf({
      measure: async (_input, context) => {
        context.metrics.record(0, 'p/latency', 20, { info: { units: 'ms', type: 'gauge' } });
        context.metrics.record(1, 'p/latency', 30);
        context.metrics.record(0, 'p/errors', 0);
        context.metrics.record(1, 'p/errors', '2');
        context.metrics.record(0, 'p/nan', Number.NaN);
        context.metrics.record(1, 'p/inf', Number.POSITIVE_INFINITY);
        context.metrics.record(1, 'p/nan', null, { reason: 'query returned no series' });
        context.metrics.record(0, 'p/throughput', 150);
        context.metrics.record(1, 'p/throughput', 50);
      },
    });
    const record = await loopWith(plan, registry).run();
    expect(record.status).toBe('completed');
    expect(record.versions).toEqual(['baseline', 'candidate']);
    const verdict = (metric: string, version: number) =>
      record.slos.find((s) => s.metric === metric && s.version === version);
    expect(verdict('p/latency', 0)).toEqual({
      metric: 'p/latency',
      op: '<=',
      limit: 25,
      version: 0,
      value: 20,
      status: 'pass',
      gate: 'pass',
    });
    expect(verdict('p/latency', 1)).toMatchObject({ value: 30, status: 'fail', gate: 'fail' });
    expect(verdict('p/errors', 0)).toMatchObject({ value: 0, status: 'pass' });
    expect(verdict('p/errors', 1)).toMatchObject({ value: 2, status: 'fail' });
    expect(verdict('p/missing', 0)).toMatchObject({
      value: null,
      status: 'nodata',
      gate: 'inconclusive',
      reason: 'metric not observed',
    });
    expect(verdict('p/nan', 0)).toMatchObject({ value: null, status: 'nodata', reason: 'NaN' });
    expect(verdict('p/nan', 1)).toMatchObject({
      value: null,
      status: 'nodata',
      reason: 'query returned no series',
    });
    expect(verdict('p/inf', 1)).toMatchObject({ value: null, status: 'nodata', reason: '+Inf' });
    expect(verdict('p/inf', 0)).toMatchObject({ status: 'nodata', reason: 'metric not observed' });
    expect(verdict('p/throughput', 0)).toMatchObject({ op: '>=', value: 150, status: 'pass' });
    expect(verdict('p/throughput', 1)).toMatchObject({ op: '>=', value: 50, status: 'fail' });
    expect(record.slos).toHaveLength(12);
    // NaN/Inf are kept as "no value" with the reason, never as numbers JSON cannot hold.
    expect(record.metrics[0]!['p/nan']).toEqual({ value: null, reason: 'NaN' });
    expect(record.metrics[1]!['p/inf']).toEqual({ value: null, reason: '+Inf' });
    expect(record.metricInfo).toEqual({ 'p/latency': { units: 'ms', type: 'gauge' } });
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  it('names versions beyond the listed ones when tasks record more', async () => {
    const plan = makePlan([{ id: 'm' }], { versions: ['only'] });
    const record = await loopWith(
      plan,
      registryOf({
        m: async (_input, context) => {
          context.metrics.record(2, 'p/x', 1);
        },
      }),
    ).run();
    expect(record.versions).toEqual(['only', 'version-1', 'version-2']);
    expect(record.metrics).toEqual([{}, {}, { 'p/x': { value: 1 } }]);
  });

  it('a bad metric name recorded by a task is that task’s error', async () => {
    const plan = makePlan([{ id: 'm' }]);
    const record = await loopWith(
      plan,
      registryOf({
        m: async (_input, context) => {
          context.metrics.record(0, 'no-provider', 1);
        },
      }),
    ).run();
    expect(record.tasks[0]).toMatchObject({ status: 'error' });
    expect(record.tasks[0]!.message).toMatch(/<provider>\/<metric>/);
  });

  it('gives every task of a loop the same workDir, which exists during the loop and is removed after', async () => {
    const seen: string[] = [];
    const plan = makePlan([{ id: 'a' }, { id: 'b', needs: ['a'] }]);
    const { writeFile, readFile } = await import('node:fs/promises');
    const registry = registryOf({
      a: async (_input, context) => {
        seen.push(context.workDir);
        expect(existsSync(context.workDir)).toBe(true);
        await writeFile(`${context.workDir}/shared.txt`, 'from a');
      },
      b: async (_input, context) => {
        seen.push(context.workDir);
        expect(await readFile(`${context.workDir}/shared.txt`, 'utf8')).toBe('from a');
      },
    });
    const record = await loopWith(plan, registry).run();
    expect(record.status).toBe('completed');
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    expect(existsSync(seen[0]!)).toBe(false);
  });

  it('removes the workDir even when tasks fail', async () => {
    let dir = '';
    const plan = makePlan([{ id: 'a' }]);
    await loopWith(
      plan,
      registryOf({
        a: async (_input, context) => {
          dir = context.workDir;
          throw new Error('boom');
        },
      }),
    ).run();
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
  });

  it('passes loop, experiment and versions to tasks and emits their logs', async () => {
    let seen: Record<string, unknown> = {};
    const plan = makePlan([{ id: 'probe', with: { answer: 42 } }], {
      versions: ['v1', 'v2'],
      experiment: { name: 'exp', namespace: 'ns' },
    });
    const { recorder, run } = loopWith(
      plan,
      registryOf({
        probe: async (input, context) => {
          seen = {
            input,
            taskId: context.taskId,
            loop: context.loop,
            experiment: context.experiment,
            versions: context.versions,
          };
          context.log('hello');
        },
      }),
      { loop: 7 },
    );
    const record = await run();
    expect(seen).toEqual({
      input: { answer: 42 },
      taskId: 'probe',
      loop: 7,
      experiment: { name: 'exp', namespace: 'ns' },
      versions: ['v1', 'v2'],
    });
    expect(record.loop).toBe(7);
    expect(recorder.of('task-log')).toEqual([{ type: 'task-log', loop: 7, id: 'probe', message: 'hello' }]);
  });

  it('emits loop-start first and loop-end last, with the record it returns', async () => {
    const plan = makePlan([{ id: 'a' }]);
    const { recorder, run } = loopWith(plan, registryOf({ a: noop }), {
      skippedTicks: ['2024-01-01T00:00:01.000Z'],
    });
    const record = await run();
    expect(recorder.events[0]).toMatchObject({ type: 'loop-start', loop: 1 });
    expect(recorder.events.at(-1)).toEqual({ type: 'loop-end', record });
    expect(record).toMatchObject({
      kind: 'loop',
      experimentHash: 'sha256:test',
      skippedTicks: ['2024-01-01T00:00:01.000Z'],
    });
    expect(record.tasks[0]).toMatchObject({ id: 'a', task: 'a', status: 'completed', attempts: 1 });
    expect(typeof record.tasks[0]!.durationMs).toBe('number');
  });
});

describe('the run task', () => {
  it('runs the script in the experiment directory with CANARY_* variables and keeps its output', async () => {
    await withTempDir(async (dir) => {
      const plan = makePlan(
        [
          {
            id: 'script',
            task: 'run',
            with: {
              script:
                'echo "loop=$CANARY_LOOP"; echo "workdir=$CANARY_WORKDIR"; echo "cwd=$(pwd -P)"; echo "exp=$CANARY_EXPERIMENT versions=$CANARY_VERSIONS extra=$EXTRA"; test -d "$CANARY_WORKDIR" && echo workdir-exists',
              env: { EXTRA: 'yes' },
            },
          },
          { id: 'check', needs: ['script'] },
        ],
        { versions: ['base', 'cand'], experiment: { name: 'exp' } },
      );
      let workDir = '';
      const registry = registryOf({ check: async (_input, context) => void (workDir = context.workDir) });
      const record = await loopWith(plan, registry, { loop: 3, experimentDir: dir }).run();
      const script = outcome(record.tasks, 'script');
      expect(script.status).toBe('completed');
      expect(script.output!.split('\n')).toEqual([
        'loop=3',
        `workdir=${workDir}`,
        `cwd=${realpathSync(dir)}`,
        'exp=exp versions=base,cand extra=yes',
        'workdir-exists',
        '',
      ]);
    });
  });

  it('fails with the exit code and the last line of output on a non-zero exit', async () => {
    const plan = makePlan([
      { id: 'script', task: 'run', with: { script: 'echo starting; echo "service unhealthy" >&2; exit 3' } },
      { id: 'after', needs: ['script'] },
    ]);
    const record = await loopWith(plan, registryOf({ after: noop })).run();
    expect(outcome(record.tasks, 'script')).toMatchObject({
      status: 'failed',
      attempts: 1,
      message: 'script exited with code 3: service unhealthy',
    });
    expect(outcome(record.tasks, 'after')).toMatchObject({
      status: 'not-run',
      message: 'needs script, which failed',
    });
    expect(record.status).toBe('failed');
  });

  it('names only the exit code when the script printed nothing', async () => {
    const plan = makePlan([{ id: 'script', task: 'run', with: { script: 'exit 7' } }]);
    const record = await loopWith(plan, registryOf({})).run();
    expect(record.tasks[0]).toMatchObject({ status: 'failed', message: 'script exited with code 7' });
  });

  it('does not leak the parent environment beyond PATH and HOME', async () => {
    process.env.CANARY_TEST_SECRET = 'hunter2';
    try {
      const plan = makePlan([
        { id: 'script', task: 'run', with: { script: 'echo "secret=${CANARY_TEST_SECRET:-unset}"' } },
      ]);
      const record = await loopWith(plan, registryOf({})).run();
      expect(record.tasks[0]!.output).toBe('secret=unset\n');
    } finally {
      delete process.env.CANARY_TEST_SECRET;
    }
  });

  it('is stopped by its timeout, with what it started', async () => {
    await withTempDir(async (dir) => {
      const plan = makePlan([
        {
          id: 'script',
          task: 'run',
          timeoutMs: 1000,
          with: { script: 'sleep 30 & echo $! > child.pid; wait' },
        },
      ]);
      const record = await within(
        loopWith(plan, registryOf({}), { experimentDir: dir }).run(),
        'the script to be stopped',
      );
      expect(record.tasks[0]).toMatchObject({ status: 'error', message: 'timed out after 1s' });
      const pid = Number(readFileSync(path.join(dir, 'child.pid'), 'utf8'));
      expect(pid).toBeGreaterThan(0);
      // The loop does not wait for a task past its timeout; the script's processes stop soon after.
      await within(untilStopped(pid), `process ${pid} to stop`);
    });
  });

  it('is interrupted by an abort', async () => {
    const controller = new AbortController();
    const plan = makePlan([{ id: 'script', task: 'run', with: { script: 'sleep 30' } }]);
    const recorder = new Recorder((event) => {
      if (event.type === 'task-start') setTimeout(() => controller.abort(), 50);
    });
    const record = await within(
      runLoop({
        plan,
        registry: registryOf({}),
        loop: 1,
        experimentStart: new Date(),
        experimentHash: 'h',
        experimentDir: process.cwd(),
        values: {},
        signal: controller.signal,
        observers: [recorder],
      }),
      'the script to be interrupted',
    );
    expect(record.status).toBe('interrupted');
    expect(record.tasks[0]!.status).toBe('interrupted');
  });
});
