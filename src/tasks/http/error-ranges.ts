import type { ErrorRange } from './http-input.js';

/** Decides whether a response status counts as an error. */
export type StatusClassifier = (status: number) => boolean;

const defaultRanges: readonly ErrorRange[] = [{ lower: 400 }];

/**
 * Statuses inside any range are errors (bounds inclusive, a missing bound is open). Without ranges,
 * status >= 400 is an error. A lookup table keeps the per-response check to one array read.
 */
export function classifyStatusWith(ranges: readonly ErrorRange[] | undefined): StatusClassifier {
  const effective = ranges ?? defaultRanges;
  const matches = (status: number) =>
    effective.some(
      (range) =>
        (range.lower === undefined || status >= range.lower) &&
        (range.upper === undefined || status <= range.upper),
    );
  const table = new Uint8Array(600);
  for (let status = 0; status < table.length; status++) table[status] = matches(status) ? 1 : 0;
  return (status) => (status >= 0 && status < table.length ? table[status] === 1 : matches(status));
}
