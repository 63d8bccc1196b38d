/** Reading fields of Kubernetes objects as the API server returned them: untyped, any part may be absent. */

/** The value as an object of fields; anything else (absent, a list, a scalar) reads as no fields. */
export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The status ('True', 'False', 'Unknown') of the Ready condition in `status.conditions`, when there is one. */
export function readyConditionStatus(status: unknown): string | undefined {
  const conditions = asRecord(status)['conditions'];
  if (!Array.isArray(conditions)) return undefined;
  const ready = conditions.map(asRecord).find((c) => c['type'] === 'Ready');
  return typeof ready?.['status'] === 'string' ? ready['status'] : undefined;
}
