/**
 * RFC 3339 times (`2026-11-01T10:00:00Z`, `2026-11-01T12:00:00+02:00`): an ISO 8601 profile with a
 * mandatory offset, so a time never silently means the machine's local time zone.
 */
const rfc3339 = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;

/** The time, or undefined when `text` is not an RFC 3339 time (or names no real date). */
export function parseRfc3339(text: string): Date | undefined {
  const match = rfc3339.exec(text);
  if (!match) return undefined;
  // Date.parse rolls 2026-02-30 over into March; a date that does not exist is a mistake.
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  const fields = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  if (
    fields.getUTCFullYear() !== year ||
    fields.getUTCMonth() !== month! - 1 ||
    fields.getUTCDate() !== day ||
    fields.getUTCHours() !== hour ||
    fields.getUTCMinutes() !== minute ||
    fields.getUTCSeconds() !== second
  )
    return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** UTC, with milliseconds only when there are some: `2026-11-01T10:00:00Z`. */
export function formatRfc3339(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}
