import { UsageError } from '../errors.js';
import { DurationSyntaxError, formatDuration, parseDuration } from '../util/duration.js';
import { formatRfc3339, parseRfc3339 } from '../util/rfc3339.js';

export interface RetrospectiveFlags {
  at?: string;
  from?: string;
  to?: string;
  step?: string;
  loops?: number;
}

/** A window this long is a mistake (a step in seconds over months), not an analysis. */
export const maxRetrospectiveLoops = 10_000;

const timeExample = 'write an RFC 3339 time such as 2026-11-01T10:00:00Z (Z or an offset like +02:00)';

/**
 * The past times a retrospective run evaluates: `--at T` is one loop; `--from T1 --to T2 --step D`
 * is a loop at T1, T1+D, ... up to T2. Undefined for an ordinary run. Bad flags are usage errors.
 */
export function evaluationTimesFromFlags(flags: RetrospectiveFlags, now: Date): Date[] | undefined {
  const windowFlags = (['from', 'to', 'step'] as const).filter((name) => flags[name] !== undefined);
  if (flags.at === undefined && windowFlags.length === 0) return undefined;
  if (flags.at !== undefined && windowFlags.length > 0) {
    throw new UsageError(`--at cannot be combined with ${windowFlags.map((n) => `--${n}`).join(', ')}`, [
      '--at evaluates one past time; --from, --to and --step evaluate a window: use one or the other',
    ]);
  }
  if (flags.loops !== undefined) {
    throw new UsageError(`--loops cannot be combined with --${flags.at !== undefined ? 'at' : 'from'}`, [
      'a retrospective run makes one loop per evaluation time; choose the number with --from, --to and --step',
    ]);
  }
  if (flags.at !== undefined) return [pastTime('at', flags.at, now)];

  const missing = (['from', 'to', 'step'] as const).filter((name) => flags[name] === undefined);
  if (missing.length > 0) {
    throw new UsageError(
      `--from, --to and --step go together; missing ${missing.map((n) => `--${n}`).join(', ')}`,
      ['example: --from 2026-11-01T00:00:00Z --to 2026-11-08T00:00:00Z --step 1h'],
    );
  }
  const from = pastTime('from', flags.from!, now);
  const to = pastTime('to', flags.to!, now);
  const step = parseStep(flags.step!);
  if (from.getTime() >= to.getTime()) {
    throw new UsageError(`--from (${formatRfc3339(from)}) must be before --to (${formatRfc3339(to)})`);
  }
  const count = Math.floor((to.getTime() - from.getTime()) / step) + 1;
  if (count > maxRetrospectiveLoops) {
    throw new UsageError(
      `--from ${formatRfc3339(from)} --to ${formatRfc3339(to)} --step ${formatDuration(step)} makes ${count} loops; at most ${maxRetrospectiveLoops} are allowed`,
      ['use a larger --step or a shorter window'],
    );
  }
  return Array.from({ length: count }, (_, i) => new Date(from.getTime() + i * step));
}

function pastTime(flag: string, text: string, now: Date): Date {
  const time = parseRfc3339(text.trim());
  if (!time) throw new UsageError(`--${flag} ${JSON.stringify(text)} is not a time`, [timeExample]);
  if (time.getTime() > now.getTime()) {
    throw new UsageError(`--${flag} ${formatRfc3339(time)} is in the future (now: ${formatRfc3339(now)})`, [
      'a retrospective run evaluates data that already exists; for the present, leave out --at/--from',
    ]);
  }
  return time;
}

function parseStep(text: string): number {
  let step: number;
  try {
    step = parseDuration(text.trim());
  } catch (error) {
    if (error instanceof DurationSyntaxError) throw new UsageError(`--step: ${error.message}`);
    throw error;
  }
  if (!(step >= 1)) {
    throw new UsageError(`--step ${JSON.stringify(text)} is too short: it must be at least 1ms`, [
      'for example --step 10m',
    ]);
  }
  return step;
}
