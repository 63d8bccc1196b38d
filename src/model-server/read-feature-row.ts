import { featureCount } from './iris-data.js';
import { RequestError } from './request-error.js';

/** Checks one instance: exactly four finite numbers. `path` names it in messages, e.g. instances[1]. */
export function readFeatureRow(value: unknown, path: string): number[] {
  if (!Array.isArray(value)) {
    throw new RequestError(
      400,
      `${path} must be an array of ${featureCount} numbers, got ${describeJson(value)}`,
    );
  }
  if (value.length !== featureCount) {
    throw new RequestError(400, `${path} must have ${featureCount} numbers, got ${value.length}`);
  }
  return value.map((item: unknown, i) => readFeatureValue(item, `${path}[${i}]`));
}

/** One feature value; JSON numbers beyond float range (1e400) parse to Infinity and are refused. */
export function readFeatureValue(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RequestError(400, `${path} must be a finite number, got ${describeJson(value)}`);
  }
  return value;
}

/** A short rendering of a JSON value for error messages. */
export function describeJson(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Guards the per-request instance count, the same way for both protocols. */
export function checkInstanceCount(count: number, maxInstances: number): void {
  if (count > maxInstances) {
    throw new RequestError(400, `too many instances: ${count} (at most ${maxInstances} per request)`);
  }
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
