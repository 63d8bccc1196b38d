import { describe, expect, it } from 'vitest';
import { runLoop } from '../../src/engine/run-loop.js';
import { makePlan, noop, registryOf } from './helpers.js';

/** A loop whose `metrics` task records latency 30 for version 0, then assess, then two notify-like tasks. */
async function loopWith(limit: number) {
  const registry = registryOf({
    metrics: async (_input, context) => {
      context.metrics.record(0, 'p/latency', 30);
    },
    onfail: noop,
    onpass: noop,
  });
  const plan = makePlan([
    { id: 'metrics' },
    { id: 'assess', task: 'assess', with: { SLOs: { upper: { 'p/latency': limit } } }, needs: ['metrics'] },
    { id: 'onfail', needs: ['assess'], if: 'not slos()' },
    { id: 'onpass', needs: ['assess'], if: 'slos() and nofailure() and completed()' },
  ]);
  return runLoop({
    plan,
    registry,
    loop: 1,
    experimentHash: 'x',
    experimentDir: process.cwd(),
    experimentStart: new Date(),
    values: {},
    signal: new AbortController().signal,
    observers: [],
  });
}

describe('conditions can ask how the loop is going', () => {
  it('slos() is false once an SLO fails', async () => {
    const record = await loopWith(25);
    expect(record.tasks.map((t) => `${t.id}:${t.status}`)).toEqual([
      'metrics:completed',
      'assess:completed',
      'onfail:completed',
      'onpass:skipped',
    ]);
  });

  it('slos(), nofailure() and completed() hold when all is well', async () => {
    const record = await loopWith(40);
    expect(record.tasks.map((t) => `${t.id}:${t.status}`)).toEqual([
      'metrics:completed',
      'assess:completed',
      'onfail:skipped',
      'onpass:completed',
    ]);
  });
});
