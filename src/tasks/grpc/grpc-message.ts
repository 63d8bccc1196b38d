import protobuf from 'protobufjs';
import { closeMatches } from '../../k8s/close-matches.js';

/** Data that does not fit the request message; `field` is its path in the data, e.g. `inputs[0].shape`. */
export class MessageProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly hint?: string,
  ) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'MessageProblem';
  }
}

/**
 * Checks JSON data against the message type, as protojson reads it (proto or lowerCamelCase field names,
 * enums by name or number, 64-bit integers as numbers or strings, bytes as base64), and encodes it.
 * The first misfit throws a MessageProblem naming the field.
 */
export function encodeMessage(type: protobuf.Type, data: unknown): Buffer {
  const normalized = normalizeMessage(type, data, '');
  return Buffer.from(type.encode(type.fromObject(normalized as Record<string, unknown>)).finish());
}

function normalizeMessage(type: protobuf.Type, data: unknown, at: string): unknown {
  // Well-known types have JSON forms of their own (a Timestamp is a string); protobufjs takes them as they are.
  if (type.fullName.startsWith('.google.protobuf.')) return data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new MessageProblem(at, `expected a ${type.name} message (a JSON object), got ${describe(data)}`);
  }
  const byName = new Map<string, protobuf.Field>();
  for (const field of type.fieldsArray) {
    byName.set(field.name, field);
    byName.set(jsonNameOf(field.name), field);
  }
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    const field = byName.get(key);
    const here = at ? `${at}.${key}` : key;
    if (!field) {
      const suggestions = closeMatches(
        key,
        type.fieldsArray.map((f) => f.name),
      );
      throw new MessageProblem(
        here,
        `${type.name} has no field ${JSON.stringify(key)}`,
        suggestions.length > 0
          ? `did you mean ${suggestions.join(' or ')}?`
          : `fields: ${type.fieldsArray.map((f) => f.name).join(', ') || '(none)'}`,
      );
    }
    if (value === null) continue;
    result[field.name] = normalizeField(field, value, here);
  }
  return result;
}

function normalizeField(field: protobuf.Field, value: unknown, at: string): unknown {
  field.resolve();
  if (field.map) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new MessageProblem(at, `expected a map (a JSON object), got ${describe(value)}`);
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, normalizeValue(field, item, `${at}.${key}`)]),
    );
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw new MessageProblem(at, `expected a list, got ${describe(value)}`);
    return value.map((item, i) => normalizeValue(field, item, `${at}[${i}]`));
  }
  return normalizeValue(field, value, at);
}

const integerTypes = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const longTypes = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function normalizeValue(field: protobuf.Field, value: unknown, at: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return normalizeMessage(resolved, value, at);
  if (resolved instanceof protobuf.Enum) {
    if (typeof value === 'string' && value in resolved.values) return value;
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    const hint = typeof value === 'string' ? closeMatches(value, Object.keys(resolved.values)) : [];
    throw new MessageProblem(
      at,
      `expected a ${resolved.name} value (${Object.keys(resolved.values).join(', ')}), got ${describe(value)}`,
      hint.length > 0 ? `did you mean ${hint.join(' or ')}?` : undefined,
    );
  }
  const type = field.type;
  const fits =
    type === 'string'
      ? typeof value === 'string'
      : type === 'bool'
        ? typeof value === 'boolean'
        : type === 'bytes'
          ? typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value)
          : integerTypes.has(type)
            ? Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value))
            : longTypes.has(type)
              ? Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value))
              : typeof value === 'number' ||
                (typeof value === 'string' && /^(NaN|-?Infinity|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/.test(value));
  if (!fits) {
    throw new MessageProblem(at, `expected ${expectedOf(type)}, got ${describe(value)}`);
  }
  if (integerTypes.has(type) && typeof value === 'string') return Number(value);
  if ((type === 'float' || type === 'double') && typeof value === 'string') return Number(value);
  return value;
}

function expectedOf(type: string): string {
  if (type === 'string') return 'a string';
  if (type === 'bool') return 'true or false';
  if (type === 'bytes') return 'base64 text (bytes)';
  if (integerTypes.has(type) || longTypes.has(type)) return `an integer (${type})`;
  return `a number (${type})`;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

/** protoc's JSON name: `num_x` is `numX`. */
function jsonNameOf(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}
