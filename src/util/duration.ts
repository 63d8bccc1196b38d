/**
 * Go-style durations (`180s`, `1m30s`, `250ms`), the form Iter8 and
 * Kubernetes values use for timeouts and load-test lengths.
 */

const EXAMPLE = 'expected a duration such as "30s", "1m30s", "1.5h" or "250ms"';

export class DurationSyntaxError extends Error {
  /** The text that failed to parse. */
  readonly text: string;

  constructor(text: string, problem: string) {
    super(`${problem}; ${EXAMPLE}`);
    this.name = 'DurationSyntaxError';
    this.text = text;
  }
}

// Work in nanoseconds, Go's unit, so that `1.1s` sums exactly before the
// single division into milliseconds at the end.
const NANOS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  '\u00b5s': 1e3, // micro sign, as Go prints it
  '\u03bcs': 1e3, // Greek mu, which Go also accepts
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's time.Duration cannot exceed int64 nanoseconds (about 292 years). */
const MAX_NANOS = 2 ** 63 - 1; // rounds to 2^63 as a double; close enough for a limit

/** One `<number><unit>` term; the unit runs up to the next digit or dot, as in Go. */
const TERM = /^(\d+)?(?:\.(\d*))?([^\d.]*)/;

/**
 * Parses a Go duration into milliseconds (possibly fractional, e.g. `10us`
 * is 0.01). Unlike Go, negative durations are rejected: nothing in an
 * experiment can wait for a negative time.
 */
export function parseDuration(text: string): number {
  const quoted = JSON.stringify(text);
  if (text === '') throw new DurationSyntaxError(text, 'duration is empty');
  if (text === '0') return 0; // Go's one unit-less special case
  if (/\s/.test(text)) throw new DurationSyntaxError(text, `duration ${quoted} must not contain spaces`);
  if (text.startsWith('-')) throw new DurationSyntaxError(text, `duration ${quoted} is negative`);
  if (/^\+?(?:\d+(?:\.\d*)?|\.\d+)$/.test(text)) {
    throw new DurationSyntaxError(
      text,
      `duration ${quoted} has no unit (did you mean "${text.replace(/^\+/, '')}s"?)`,
    );
  }

  let rest = text.startsWith('+') ? text.slice(1) : text;
  if (rest === '') throw new DurationSyntaxError(text, `${quoted} is not a duration`);
  let nanos = 0;
  while (rest !== '') {
    const match = TERM.exec(rest);
    const whole = match?.[1];
    const fraction = match?.[2];
    const unit = match?.[3] ?? '';
    if (match === null || (whole === undefined && !fraction)) {
      throw new DurationSyntaxError(text, `${quoted} is not a duration (expected a number at "${rest}")`);
    }
    if (unit === '') {
      throw new DurationSyntaxError(text, `duration ${quoted} is missing a unit after "${match[0]}"`);
    }
    const unitNanos = NANOS_PER_UNIT[unit];
    if (unitNanos === undefined) {
      throw new DurationSyntaxError(
        text,
        `duration ${quoted} has unknown unit "${unit}" (use ns, us, µs, ms, s, m or h)`,
      );
    }
    nanos += Number(whole ?? '0') * unitNanos;
    if (fraction) nanos += Math.round(Number(`0.${fraction}`) * unitNanos);
    rest = rest.slice(match[0].length);
  }
  if (nanos > MAX_NANOS) throw new DurationSyntaxError(text, `duration ${quoted} is too large`);
  return nanos / 1e6;
}

/**
 * Formats milliseconds compactly in the same syntax (`1m30s`, `250ms`, `2h`,
 * `1.5s`); zero parts are left out (`1h5s`), and the output parses back.
 * Seconds and larger are shown to the millisecond, smaller units to three
 * decimals.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`cannot format ${ms} as a duration`);
  if (ms < 0) return `-${formatDuration(-ms)}`;

  const nanos = Math.round(ms * 1e6);
  if (nanos === 0) return '0s';
  if (nanos < 1e3) return `${nanos}ns`;
  // Round first, then pick the unit, so 999.9999ms becomes 1s, not 1000ms.
  const micros = nanos / 1e3;
  if (roundTo(micros, 3) < 1e3) return `${trimNumber(micros)}µs`;
  if (roundTo(micros / 1e3, 3) < 1e3) return `${trimNumber(micros / 1e3)}ms`;

  const wholeMs = Math.round(ms);
  const hours = Math.floor(wholeMs / 3_600_000);
  const minutes = Math.floor((wholeMs % 3_600_000) / 60_000);
  const seconds = (wholeMs % 60_000) / 1000;
  return (
    (hours > 0 ? `${hours}h` : '') +
    (minutes > 0 ? `${minutes}m` : '') +
    (seconds > 0 ? `${trimNumber(seconds)}s` : '')
  );
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Up to three decimals, without trailing zeros. */
function trimNumber(value: number): string {
  return String(roundTo(value, 3));
}
