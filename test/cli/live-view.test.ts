import { describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../src/engine/events.js';
import type { Plan } from '../../src/plan/plan.js';
import type { LoopRecord, SloVerdict } from '../../src/results/records.js';
import { formatCountdown, formatElapsed, renderFrame } from '../../src/cli/live-frame.js';
import { applyEvent, initialLiveState, type LiveState } from '../../src/cli/live-state.js';
import { LiveView, shouldShowLiveView } from '../../src/cli/live-view.js';

const t0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms);

const plan: Plan = {
  experiment: { name: 'demo' },
  versions: ['baseline', 'candidate'],
  schedule: '*/10 * * * * *',
  concurrency: 4,
  tasks: [
    { id: 'load', task: 'http', with: {}, needs: [], retries: 0 },
    { id: 'metrics', task: 'custommetrics', with: {}, needs: ['load'], retries: 0 },
    { id: 'assess', task: 'assess', with: {}, needs: ['metrics'], retries: 0 },
  ],
  waves: [['load'], ['metrics'], ['assess']],
};

function slo(status: SloVerdict['status']): SloVerdict {
  return { metric: 'http/latency-mean', op: '<=', limit: 25, version: 0, value: 1, status };
}

function loopEnd(loop: number, startMs: number, endMs: number): RunEvent {
  const record = {
    kind: 'loop',
    loop,
    start: at(startMs).toISOString(),
    end: at(endMs).toISOString(),
    durationMs: endMs - startMs,
    status: 'failed',
    slos: [slo('pass'), slo('pass'), slo('fail'), slo('nodata')],
  } as Partial<LoopRecord>;
  return { type: 'loop-end', record: record as LoopRecord };
}

/** One loop of the plan: load completes, metrics fails, assess does not run; then a wait. */
const events: RunEvent[] = [
  { type: 'experiment-start', plan, firstLoop: 1 },
  { type: 'loop-start', loop: 1, at: at(0) },
  { type: 'task-start', loop: 1, id: 'load', task: 'http', at: at(0) },
  {
    type: 'task-end',
    loop: 1,
    outcome: { id: 'load', task: 'http', status: 'completed', durationMs: 2300 },
  },
  { type: 'task-start', loop: 1, id: 'metrics', task: 'custommetrics', at: at(2300) },
  {
    type: 'task-end',
    loop: 1,
    outcome: {
      id: 'metrics',
      task: 'custommetrics',
      status: 'error',
      durationMs: 40,
      message: 'ECONNREFUSED\nmore',
    },
  },
  {
    type: 'task-end',
    loop: 1,
    outcome: { id: 'assess', task: 'assess', status: 'not-run', message: 'needs metrics, which failed' },
  },
  loopEnd(1, 0, 2400),
  { type: 'wait', loop: 2, until: at(10_000) },
  { type: 'experiment-end', reason: 'interrupted', loops: 1 },
];

/** The state after the first n events. */
function after(n: number): LiveState {
  return events.slice(0, n).reduce(applyEvent, initialLiveState());
}

describe('live view frames (pure)', () => {
  it('before the first loop: every task pending', () => {
    expect(renderFrame(after(1), { now: t0 })).toEqual([
      'canary ▸ demo · starting',
      '  ○ load (http)',
      '  ○ metrics (custommetrics)',
      '  ○ assess',
    ]);
  });

  it('a running task shows a spinner and its elapsed time; the loop its own', () => {
    expect(renderFrame(after(5), { now: t0 + 3450 })).toEqual([
      'canary ▸ demo · loop 1 · 3.4s',
      '  ✔ load (http)                 2.3s',
      '  ⠼ metrics (custommetrics)     1.1s running',
      '  ○ assess',
    ]);
  });

  it('after the loop: final states, first line of messages, SLO counts and the countdown', () => {
    expect(renderFrame(after(9), { now: t0 + 2600 })).toEqual([
      'canary ▸ demo · loop 1 done',
      '  ✔ load (http)                 2.3s',
      '  ✘ metrics (custommetrics)     40ms error - ECONNREFUSED',
      '  · assess                           not-run - needs metrics, which failed',
      'last loop 1: failed in 2.4s · SLOs 2 pass / 1 fail / 1 no data',
      'next loop (2) in 8s',
    ]);
  });

  it('a new loop resets the tasks and drops the countdown; the end says why', () => {
    const next = applyEvent(after(9), { type: 'loop-start', loop: 2, at: at(10_000) });
    expect(renderFrame(next, { now: t0 + 10_000 })).toEqual([
      'canary ▸ demo · loop 2 · 0.0s',
      '  ○ load (http)',
      '  ○ metrics (custommetrics)',
      '  ○ assess',
      'last loop 1: failed in 2.4s · SLOs 2 pass / 1 fail / 1 no data',
    ]);
    expect(renderFrame(after(10), { now: t0 + 5000 })[0]).toBe(
      'canary ▸ demo · ended (interrupted) after 1 loop',
    );
    expect(renderFrame(after(10), { now: t0 + 5000 })).not.toContainEqual(expect.stringMatching(/next loop/));
  });

  it('cuts lines to the width and summarizes tasks that do not fit the height', () => {
    const frame = renderFrame(after(9), { now: t0 + 2600, width: 30, height: 4 });
    expect(frame.every((line) => line.length <= 29)).toBe(true);
    expect(frame).toEqual([
      'canary ▸ demo · loop 1 done',
      '  … 1 completed, 1 error, 1 …',
      'last loop 1: failed in 2.4s …',
      'next loop (2) in 8s',
    ]);
  });

  it('paints only the glyph, and only with color', () => {
    const [, load] = renderFrame(after(9), { now: t0, color: true });
    expect(load).toBe('  \x1b[32m✔\x1b[0m load (http)                 2.3s');
    expect(renderFrame(after(9), { now: t0 }).join('')).not.toContain('\x1b');
  });

  it('formats times', () => {
    expect([0, 999, 12_345, 61_000, 3_725_000].map(formatElapsed)).toEqual([
      '0.0s',
      '0.9s',
      '12.3s',
      '1m01s',
      '1h02m05s',
    ]);
    expect([0, 1, 59_000, 61_500].map(formatCountdown)).toEqual(['0s', '1s', '59s', '1m02s']);
  });
});

describe('LiveView', () => {
  function fakeTerminal() {
    const writes: string[] = [];
    return { writes, terminal: { write: (text: string) => writes.push(text), columns: 80, rows: 24 } };
  }

  it('hides the cursor, redraws over its previous frame, prints above it, and restores the cursor', () => {
    vi.useFakeTimers();
    try {
      const { writes, terminal } = fakeTerminal();
      let now = t0;
      const view = new LiveView(terminal, { intervalMs: 100, now: () => now });
      for (const event of events.slice(0, 3)) view.onEvent(event);
      expect(writes[0]).toBe('\x1b[?25l');
      expect(writes[1]?.startsWith('\r\x1b[Jcanary ▸ demo · starting\n')).toBe(true);
      expect(writes).toHaveLength(2); // events alone never draw: the timer does, at most every 100 ms
      now += 100;
      vi.advanceTimersByTime(100);
      expect(writes[2]?.startsWith('\x1b[4A\r\x1b[J')).toBe(true); // up over the 4 lines drawn, erase, draw
      expect(writes[2]).toContain('running');
      view.print('canary: a warning');
      now += 100;
      vi.advanceTimersByTime(100);
      expect(writes[3]?.startsWith('\x1b[4A\r\x1b[Jcanary: a warning\ncanary ▸ demo')).toBe(true);
      vi.advanceTimersByTime(100); // same moment, same frame: nothing written
      expect(writes).toHaveLength(4);
      for (const event of events.slice(3)) view.onEvent(event);
      expect(writes.at(-2)).toContain('ended (interrupted)');
      expect(writes.at(-2)).toMatch(/loop 1 failed in 2\.4s, SLOs 2 pass \/ 1 fail \/ 1 inconclusive\n/);
      expect(writes.at(-1)).toBe('\x1b[?25h');
      view.close(); // twice is harmless
      expect(writes.at(-1)).toBe('\x1b[?25h');
      vi.advanceTimersByTime(1000);
      expect(writes.at(-1)).toBe('\x1b[?25h');
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows where someone watches: a TTY outside CI', () => {
    expect(shouldShowLiveView({ isTTY: true }, {})).toBe(true);
    expect(shouldShowLiveView({ isTTY: false }, {})).toBe(false);
    expect(shouldShowLiveView({}, {})).toBe(false);
    expect(shouldShowLiveView({ isTTY: true }, { CI: 'true' })).toBe(false);
    expect(shouldShowLiveView({ isTTY: true }, { CI: '1' })).toBe(false);
    expect(shouldShowLiveView({ isTTY: true }, { CI: 'false' })).toBe(true);
  });
});
