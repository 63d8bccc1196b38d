import { describe, expect, it } from 'vitest';
import { assessTask, listSloRules } from '../../../src/tasks/assess/assess.js';
import { judgeAbsolute } from '../../../src/tasks/assess/judge-slo.js';
import type { SloPolicy } from '../../../src/tasks/assess/slo-rules.js';
import { MetricBoard } from '../../../src/metrics/metric-board.js';
import type { SloVerdict } from '../../../src/results/records.js';
import type { TaskContext } from '../../../src/tasks/task-definition.js';

function context(metrics: MetricBoard, versions: string[] = []): TaskContext & { slos: SloVerdict[] } {
  return {
    taskId: 'assess',
    loop: 1,
    iteration: 1,
    experiment: { name: 't' },
    versions,
    experimentDir: '.',
    experimentStart: new Date(),
    env: {},
    workDir: '.',
    signal: new AbortController().signal,
    metrics,
    slos: [],
    log: () => {},
  };
}

describe('listSloRules', () => {
  it('flattens both forms, upper limits first', () => {
    expect(
      listSloRules({
        SLOs: { lower: [{ metric: 'p/rps', limit: 10 }], upper: { 'p/lat': 25, 'p/err': 0 } },
      }).map((rule) => [rule.metric, rule.op, rule.kind === 'absolute' ? rule.limit : undefined, rule.path]),
    ).toEqual([
      ['p/lat', '<=', 25, ['SLOs', 'upper', 'p/lat']],
      ['p/err', '<=', 0, ['SLOs', 'upper', 'p/err']],
      ['p/rps', '>=', 10, ['SLOs', 'lower', 0, 'metric']],
    ]);
  });

  it('is empty without SLOs', () => {
    expect(listSloRules({})).toEqual([]);
  });
});

const policy: SloPolicy = { mode: 'gate', onNoData: 'inconclusive' };

describe('judgeAbsolute', () => {
  const board = new MetricBoard();
  board.record(0, 'p/x', 10);
  board.record(0, 'p/nan', Number.NaN);
  board.record(0, 'p/none', undefined, { reason: 'no series' });

  it('passes at the limit itself, both ways', () => {
    expect(
      judgeAbsolute({ kind: 'absolute', metric: 'p/x', op: '<=', limit: 10, policy, path: [] }, 0, board)
        .status,
    ).toBe('pass');
    expect(
      judgeAbsolute({ kind: 'absolute', metric: 'p/x', op: '>=', limit: 10, policy, path: [] }, 0, board)
        .status,
    ).toBe('pass');
    expect(
      judgeAbsolute({ kind: 'absolute', metric: 'p/x', op: '<=', limit: 9.99, policy, path: [] }, 0, board)
        .status,
    ).toBe('fail');
    expect(
      judgeAbsolute({ kind: 'absolute', metric: 'p/x', op: '>=', limit: 10.01, policy, path: [] }, 0, board)
        .status,
    ).toBe('fail');
  });

  it('has no data, with the reason, for missing or non-finite values', () => {
    expect(
      judgeAbsolute({ kind: 'absolute', metric: 'p/x', op: '<=', limit: 1, policy, path: [] }, 1, board),
    ).toEqual({
      metric: 'p/x',
      op: '<=',
      limit: 1,
      version: 1,
      value: null,
      status: 'nodata',
      reason: 'metric not observed',
    });
    expect(
      judgeAbsolute({ kind: 'absolute', metric: 'p/nan', op: '<=', limit: 1, policy, path: [] }, 0, board),
    ).toMatchObject({
      status: 'nodata',
      reason: 'NaN',
    });
    expect(
      judgeAbsolute({ kind: 'absolute', metric: 'p/none', op: '<=', limit: 1, policy, path: [] }, 0, board),
    ).toMatchObject({
      status: 'nodata',
      reason: 'no series',
    });
  });
});

describe('assessTask', () => {
  it('judges every SLO for every known version', async () => {
    const board = new MetricBoard();
    board.record(0, 'p/lat', 5);
    const ctx = context(board, ['a', 'b']);
    await assessTask.run({ SLOs: { upper: { 'p/lat': 10 } } }, ctx);
    expect(ctx.slos.map((s) => [s.version, s.status])).toEqual([
      [0, 'pass'],
      [1, 'nodata'],
    ]);
  });

  it('judges versions that only the metrics know about', async () => {
    const board = new MetricBoard();
    board.record(2, 'p/lat', 50);
    const ctx = context(board);
    await assessTask.run({ SLOs: { upper: { 'p/lat': 10 } } }, ctx);
    expect(ctx.slos.map((s) => [s.version, s.status])).toEqual([
      [0, 'nodata'],
      [1, 'nodata'],
      [2, 'fail'],
    ]);
  });

  it('checks metric names and duplicates', async () => {
    const problems = await assessTask.check!(
      {
        SLOs: {
          upper: [
            { metric: 'nameless', limit: 1 },
            { metric: 'p/x', limit: 1 },
            { metric: 'p/x', limit: 2 },
          ],
          lower: { 'p/x': 0 },
        },
      },
      { experimentDir: '.', env: {} },
    );
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      [['SLOs', 'upper', 0, 'metric'], 'metric name must be <provider>/<metric> (got "nameless")'],
      [['SLOs', 'upper', 2, 'metric'], 'duplicate SLO p/x <='],
    ]);
  });
});
