import { describe, expect, it } from 'vitest';
import { MetricBoard } from '../../src/metrics/metric-board.js';
import type { LoopRecord } from '../../src/results/records.js';
import { rebuildMetricBoard } from '../../src/replay/rebuild-board.js';

/** A loop record holding what `board` recorded, as runLoop writes it. */
function recordOf(board: MetricBoard): LoopRecord {
  return JSON.parse(
    JSON.stringify({
      kind: 'loop',
      loop: 1,
      experimentHash: 'sha256:x',
      experimentStart: '2026-01-01T00:00:00.000Z',
      start: '2026-01-01T00:00:00.000Z',
      end: '2026-01-01T00:00:01.000Z',
      durationMs: 1000,
      status: 'completed',
      versions: ['baseline', 'candidate'],
      tasks: [],
      metrics: board.toJSON(2),
      metricInfo: Object.fromEntries(board.info),
      slos: [],
      distributions: board.distributionsRecord(),
    }),
  ) as LoopRecord;
}

describe('rebuildMetricBoard', () => {
  it('gives back the values, reasons, metric info and histograms (+Inf included) a loop recorded', () => {
    const board = new MetricBoard();
    board.record(0, 'p/latency-mean', 12.5, { info: { units: 'ms', type: 'gauge' }, query: 'q1' });
    board.record(1, 'p/latency-mean', 'NaN');
    board.record(1, 'p/error-count', null, { reason: 'no series' });
    board.recordDistribution(1, 'p/latency', [
      { upper: 10, count: 3 },
      { upper: Infinity, count: 2 },
    ]);
    const record = recordOf(board);
    expect(record.distributions?.[1]?.['p/latency']?.at(-1)).toEqual({ upper: '+Inf', count: 2 });

    const rebuilt = rebuildMetricBoard(record);
    expect(rebuilt.get(0, 'p/latency-mean')).toEqual({ value: 12.5, query: 'q1' });
    expect(rebuilt.get(1, 'p/latency-mean')).toEqual({ value: null, reason: 'NaN' });
    expect(rebuilt.get(1, 'p/error-count')).toEqual({ value: null, reason: 'no series' });
    expect(rebuilt.info.get('p/latency-mean')).toEqual({ units: 'ms', type: 'gauge' });
    expect(rebuilt.distribution(1, 'p/latency')).toEqual([
      { upper: 10, count: 3 },
      { upper: Infinity, count: 2 },
    ]);
    expect(rebuilt.distribution(0, 'p/latency')).toBeUndefined();
    expect(recordOf(rebuilt)).toEqual(record);
  });

  it('leaves out a hand-edited name that cannot be a metric instead of failing', () => {
    const record = recordOf(new MetricBoard());
    record.metrics = [{ 'no-provider': { value: 1 }, 'p/ok': { value: 2 } }];
    const rebuilt = rebuildMetricBoard(record);
    expect(rebuilt.names()).toEqual(['p/ok']);
  });
});
