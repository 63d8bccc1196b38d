import { describe, expect, it } from 'vitest';
import { createQueryPool } from '../../../src/metrics/backend/query-pool.js';

describe('createQueryPool', () => {
  it('runs at most N jobs at once and returns every result in order', async () => {
    const pool = createQueryPool(3);
    let running = 0;
    let most = 0;
    const job = (i: number) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => pool(job(i))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(3);
  });

  it('passes failures through without stopping other jobs', async () => {
    const pool = createQueryPool(1);
    const failing = pool(() => Promise.reject(new Error('no')));
    const next = pool(() => Promise.resolve('yes'));
    await expect(failing).rejects.toThrow('no');
    expect(await next).toBe('yes');
  });

  it('defaults to 8 and rejects nonsense', () => {
    expect(() => createQueryPool(256)).not.toThrow();
    expect(() => createQueryPool(0)).toThrow(RangeError);
    expect(() => createQueryPool(1.5)).toThrow(RangeError);
  });
});
