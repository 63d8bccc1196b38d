import { describe, expect, it } from 'vitest';
import { assertConditions, experimentState, type AssertionRequest } from '../../src/results/assertions.js';
import type { ResultHistory } from '../../src/results/result-file.js';
import type { LoopRecord } from '../../src/results/records.js';
import { endRecord, header, judgedLoop } from './fixtures.js';

const all: AssertionRequest = { completed: true, nofailure: true, slos: true };

function history(loops: LoopRecord[], ended = false): ResultHistory {
  return {
    file: 'r.jsonl',
    header: header(),
    loops,
    ...(ended ? { end: endRecord(loops.length) } : {}),
    warnings: [],
  };
}

function judge(loops: LoopRecord[], request: AssertionRequest = all) {
  return assertConditions(experimentState(history(loops)), request);
}

describe('experimentState', () => {
  it('judges the latest loop only', () => {
    const state = experimentState(
      history(
        [judgedLoop(1, ['failed'], ['fail']), judgedLoop(2, ['completed', 'skipped'], ['pass', 'nodata'])],
        true,
      ),
    );
    expect(state).toMatchObject({
      loops: 2,
      completed: true,
      failure: false,
      executionError: false,
      interrupted: false,
      finished: true,
      slos: { total: 2, pass: 1, fail: 0, inconclusive: 1, warn: 0, observe: 0 },
    });
    expect(state.latest?.loop).toBe(2);
  });

  it('has no latest loop before any loop ran', () => {
    const state = experimentState(history([]));
    expect(state).toMatchObject({ loops: 0, completed: false, failure: false, finished: false });
    expect(state).not.toHaveProperty('latest');
  });

  it('flags an interrupted loop', () => {
    expect(experimentState(history([judgedLoop(1, ['interrupted', 'not-run'])]))).toMatchObject({
      interrupted: true,
      failure: true,
      completed: false,
    });
  });
});

describe('assertConditions exit codes', () => {
  const cases: Array<[string, LoopRecord[], AssertionRequest, number]> = [
    ['every condition holds', [judgedLoop(1, ['completed', 'skipped'], ['pass', 'pass'])], all, 0],
    ['no SLOs defined', [judgedLoop(1, ['completed'])], all, 0],
    ['an SLO is violated', [judgedLoop(1, ['completed'], ['pass', 'fail'])], all, 1],
    [
      'an SLO is violated and another has no data',
      [judgedLoop(1, ['completed'], ['fail', 'nodata'])],
      all,
      1,
    ],
    ['a task failed', [judgedLoop(1, ['completed', 'failed', 'not-run'], ['pass'])], all, 1],
    [
      'a task failed, only completed asked',
      [judgedLoop(1, ['failed'])],
      { completed: true, nofailure: false, slos: false },
      1,
    ],
    [
      'a task failed, only nofailure asked',
      [judgedLoop(1, ['failed'])],
      { completed: false, nofailure: true, slos: false },
      1,
    ],
    [
      'a task failed, only slos asked (SLOs hold)',
      [judgedLoop(1, ['failed'], ['pass'])],
      { completed: false, nofailure: false, slos: true },
      0,
    ],
    ['the loop was interrupted', [judgedLoop(1, ['interrupted', 'not-run'], [])], all, 1],
    ['a task errored', [judgedLoop(1, ['error'], ['pass'])], all, 4],
    ['a task errored even though SLOs fail', [judgedLoop(1, ['error', 'completed'], ['fail'])], all, 4],
    ['a task errored and another failed', [judgedLoop(1, ['failed', 'error'], ['fail'])], all, 4],
    ['only missing data', [judgedLoop(1, ['completed'], ['pass', 'nodata'])], all, 5],
    [
      'only missing data, slos alone',
      [judgedLoop(1, ['completed'], ['nodata'])],
      { completed: false, nofailure: false, slos: true },
      5,
    ],
    ['missing data and an incomplete loop', [judgedLoop(1, ['failed'], ['nodata'])], all, 1],
    [
      'an earlier bad loop does not count',
      [judgedLoop(1, ['error'], ['fail']), judgedLoop(2, ['completed'], ['pass'])],
      all,
      0,
    ],
    [
      'a later bad loop does',
      [judgedLoop(1, ['completed'], ['pass']), judgedLoop(2, ['completed'], ['fail'])],
      all,
      1,
    ],
    ['no loops', [], all, 1],
    ['no loops, completed only', [], { completed: true, nofailure: false, slos: false }, 1],
    ['no loops, nofailure only', [], { completed: false, nofailure: true, slos: false }, 1],
    ['no loops, slos only', [], { completed: false, nofailure: false, slos: true }, 1],
    ['nothing asked', [], { completed: false, nofailure: false, slos: false }, 0],
  ];

  it.each(cases)('%s -> exit code', (_name, loops, request, exitCode) => {
    expect(judge(loops, request).exitCode).toBe(exitCode);
  });
});

describe('assertConditions lines', () => {
  it('says why each condition holds', () => {
    expect(judge([judgedLoop(3, ['completed'], ['pass', 'pass'])]).lines).toEqual([
      { ok: true, text: 'completed: loop 3 ran every task' },
      { ok: true, text: 'nofailure: no task failed' },
      { ok: true, text: 'slos: all 2 satisfied' },
    ]);
  });

  it('names the culprit task and counts violations', () => {
    expect(
      judge([judgedLoop(2, ['completed', 'failed', 'not-run'], ['fail', 'nodata', 'pass'])]).lines,
    ).toEqual([
      { ok: false, text: 'completed: loop 2 did not run every task (failed)' },
      { ok: false, text: 'nofailure: task t1 failed: t1 was failed' },
      { ok: false, text: 'slos: 1 of 3 violated, 1 inconclusive' },
    ]);
  });

  it('says "could not run" for an errored task', () => {
    const { lines } = judge([judgedLoop(1, ['error'])], { completed: false, nofailure: true, slos: false });
    expect(lines).toEqual([{ ok: false, text: 'nofailure: task t0 could not run: t0 was error' }]);
  });

  it('marks missing data as inconclusive', () => {
    const { lines } = judge([judgedLoop(1, ['completed'], ['nodata', 'pass'])], {
      completed: false,
      nofailure: false,
      slos: true,
    });
    expect(lines).toEqual([
      {
        ok: 'inconclusive',
        text: 'slos: 1 of 2 inconclusive (no data, too few samples or no decision), none violated',
      },
    ]);
  });

  it('says no loop has run yet', () => {
    expect(judge([]).lines).toEqual([
      { ok: false, text: 'completed: no loop has run yet' },
      { ok: false, text: 'nofailure: no loop has run yet' },
      { ok: false, text: 'slos: no loop has run yet' },
    ]);
  });

  it('says when no SLOs are defined', () => {
    expect(
      judge([judgedLoop(1, ['completed'])], { completed: false, nofailure: false, slos: true }).lines,
    ).toEqual([{ ok: true, text: 'slos: none defined' }]);
  });
});
