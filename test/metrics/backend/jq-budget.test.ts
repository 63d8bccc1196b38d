import { describe, expect, it } from 'vitest';
import { extractManyWithJq, extractWithJq } from '../../../src/metrics/backend/jq.js';

// Each of these ran forever (or for many seconds, then crashed) on the main thread before jq had a budget.
describe('jq under a budget', () => {
  it(
    'stops an endless generator at the timeout and names it as the reason',
    { timeout: 20_000 },
    async () => {
      const result = await extractWithJq({}, 'last(range(1e11))', undefined, { timeoutMs: 1500 });
      expect(result).toEqual({ value: null, reason: 'jq: exceeded 1.5s' });
    },
  );

  it('stops a generator that only grows memory', { timeout: 20_000 }, async () => {
    const result = await extractWithJq({}, '[limit(1e8; repeat(1))] | length', undefined, {
      timeoutMs: 1000,
    });
    expect(result.value).toBeNull();
    expect((result as { reason: string }).reason).toMatch(
      /^jq: exceeded (1s|the \d+ MiB (memory|heap) cap)$/,
    );
  });

  it(
    'gives every document of a batch over budget the reason, and keeps working afterwards',
    { timeout: 20_000 },
    async () => {
      const results = await extractManyWithJq(
        [{ a: 1 }, { a: 2 }, { a: 3 }],
        '.a as $a | last(range(1e11)) | $a',
        undefined,
        {
          timeoutMs: 300,
        },
      );
      // A query timeout under a second gives jq a second: a loaded machine must not fail ordinary programs.
      expect(results).toEqual(Array(3).fill({ value: null, reason: 'jq: exceeded 1s' }));
      expect(await extractManyWithJq([{ a: 1 }, { a: 2 }], '.a + 1')).toEqual([{ value: 2 }, { value: 3 }]);
    },
  );

  it('answers "cancelled" at once when the run is aborted', { timeout: 20_000 }, async () => {
    const controller = new AbortController();
    const pending = extractWithJq({}, 'last(range(1e11))', undefined, {
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    expect(await pending).toEqual({ value: null, reason: 'jq: cancelled' });
  });

  it('keeps the main thread free while jq runs (timers still fire)', { timeout: 20_000 }, async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    await extractWithJq({}, 'last(range(1e11))', undefined, { timeoutMs: 600 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
  });
});
