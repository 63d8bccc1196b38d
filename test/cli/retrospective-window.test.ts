import { describe, expect, it } from 'vitest';
import {
  evaluationTimesFromFlags,
  maxRetrospectiveLoops,
  type RetrospectiveFlags,
} from '../../src/cli/retrospective-window.js';
import { UsageError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';

const now = new Date('2026-11-10T00:00:00Z');
const iso = (times: Date[] | undefined) => times?.map((t) => t.toISOString());

function usageError(flags: RetrospectiveFlags): UsageError {
  try {
    evaluationTimesFromFlags(flags, now);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(ExitCode.usage);
    return error as UsageError;
  }
  throw new Error(`no error for ${JSON.stringify(flags)}`);
}

describe('evaluationTimesFromFlags', () => {
  it('is undefined for an ordinary run', () => {
    expect(evaluationTimesFromFlags({}, now)).toBeUndefined();
    expect(evaluationTimesFromFlags({ loops: 3 }, now)).toBeUndefined();
  });

  it('--at is one time; offsets are converted to UTC', () => {
    expect(iso(evaluationTimesFromFlags({ at: '2026-11-01T10:00:00Z' }, now))).toEqual([
      '2026-11-01T10:00:00.000Z',
    ]);
    expect(iso(evaluationTimesFromFlags({ at: '2026-11-01T12:00:00.5+02:00' }, now))).toEqual([
      '2026-11-01T10:00:00.500Z',
    ]);
  });

  it('--from/--to/--step: from, from+step, ... up to and including to', () => {
    expect(
      iso(
        evaluationTimesFromFlags(
          { from: '2026-11-01T10:00:00Z', to: '2026-11-01T10:30:00Z', step: '10m' },
          now,
        ),
      ),
    ).toEqual([
      '2026-11-01T10:00:00.000Z',
      '2026-11-01T10:10:00.000Z',
      '2026-11-01T10:20:00.000Z',
      '2026-11-01T10:30:00.000Z',
    ]);
    // A step that does not divide the window stops before --to.
    expect(
      iso(
        evaluationTimesFromFlags(
          { from: '2026-11-01T10:00:00Z', to: '2026-11-01T10:25:00Z', step: '10m' },
          now,
        ),
      ),
    ).toEqual(['2026-11-01T10:00:00.000Z', '2026-11-01T10:10:00.000Z', '2026-11-01T10:20:00.000Z']);
  });

  it('allows exactly the maximum number of loops, and refuses one more', () => {
    const from = '2026-11-01T00:00:00Z';
    const last = new Date(Date.parse(from) + (maxRetrospectiveLoops - 1) * 1000).toISOString();
    expect(evaluationTimesFromFlags({ from, to: last, step: '1s' }, now)).toHaveLength(maxRetrospectiveLoops);
    const over = new Date(Date.parse(from) + maxRetrospectiveLoops * 1000).toISOString();
    const error = usageError({ from, to: over, step: '1s' });
    expect(error.message).toContain(
      `makes ${maxRetrospectiveLoops + 1} loops; at most ${maxRetrospectiveLoops}`,
    );
    expect(error.hints).toEqual(['use a larger --step or a shorter window']);
  });

  const window = { from: '2026-11-01T10:00:00Z', to: '2026-11-01T11:00:00Z', step: '10m' };
  it.each<[string, RetrospectiveFlags, string]>([
    [
      '--at with a window flag',
      { at: '2026-11-01T10:00:00Z', step: '10m' },
      '--at cannot be combined with --step',
    ],
    ['--loops with --at', { at: '2026-11-01T10:00:00Z', loops: 2 }, '--loops cannot be combined with --at'],
    ['--loops with a window', { ...window, loops: 2 }, '--loops cannot be combined with --from'],
    ['a window without --step', { from: window.from, to: window.to }, 'missing --step'],
    ['--step alone', { step: '1h' }, 'missing --from, --to'],
    ['a time without an offset', { at: '2026-11-01T10:00:00' }, '--at "2026-11-01T10:00:00" is not a time'],
    ['a date only', { ...window, from: '2026-11-01' }, '--from "2026-11-01" is not a time'],
    ['a relative time', { at: '-2h' }, '--at "-2h" is not a time'],
    ['an impossible date', { at: '2026-02-30T10:00:00Z' }, 'is not a time'],
    ['--at in the future', { at: '2026-11-10T00:00:01Z' }, '--at 2026-11-10T00:00:01Z is in the future'],
    [
      '--to in the future',
      { ...window, to: '2027-01-01T00:00:00Z' },
      '--to 2027-01-01T00:00:00Z is in the future',
    ],
    ['--from after --to', { ...window, from: window.to, to: window.from }, 'must be before --to'],
    ['--from equal to --to', { ...window, to: window.from }, 'must be before --to'],
    ['a step without unit', { ...window, step: '10' }, '--step: duration "10" has no unit'],
    ['a step in days', { ...window, step: '1d' }, 'unknown unit "d"'],
    ['a zero step', { ...window, step: '0s' }, '--step "0s" is too short'],
  ])('%s is a usage error', (_name, flags, message) => {
    expect(usageError(flags).message).toContain(message);
  });

  it('a time that is not RFC 3339 gets an example in its hint', () => {
    expect(usageError({ at: 'yesterday' }).hints[0]).toContain('2026-11-01T10:00:00Z');
  });

  it('now itself is not in the future', () => {
    expect(iso(evaluationTimesFromFlags({ at: now.toISOString() }, now))).toEqual([now.toISOString()]);
  });
});
