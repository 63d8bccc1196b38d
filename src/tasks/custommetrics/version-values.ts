import { mergeValues } from '../../config/set-values.js';
import { parseRfc3339 } from '../../util/rfc3339.js';

/** Number of versions the task speaks for: one per `versionValues` entry, one when there are none. */
export function versionCountOf(versionValues: readonly unknown[] | undefined): number {
  return Math.max(1, versionValues?.length ?? 0);
}

/** Values of version i: a deep merge of the shared values and its own (maps merge key by key). */
export function valuesForVersion(
  values: Record<string, unknown> | undefined,
  versionValues: ReadonlyArray<Record<string, unknown>> | undefined,
  version: number,
): Record<string, unknown> {
  // mergeValues copies: version i's keys can never leak into version i+1.
  return mergeValues(values ?? {}, versionValues?.[version] ?? {});
}

/** Whole seconds since `startingTime` (RFC 3339) when the values give it, else since the experiment began. */
export function elapsedSeconds(values: Record<string, unknown>, experimentStart: Date, now: Date): number {
  // null counts as absent, so an experiment can write `startingTime: "{{ values.startingTime | default(none) }}"`.
  const given = values.startingTime;
  const start = given === undefined || given === null ? experimentStart : parseStartingTime(given);
  return Math.max(0, Math.floor((now.getTime() - start.getTime()) / 1000));
}

export function parseStartingTime(value: unknown): Date {
  const time = typeof value === 'string' ? parseRfc3339(value) : undefined;
  if (!time) {
    throw new RangeError(
      `startingTime must be an RFC 3339 time such as 2026-11-26T10:00:00Z (got ${JSON.stringify(value)})`,
    );
  }
  return time;
}
