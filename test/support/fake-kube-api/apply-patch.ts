/**
 * PATCH bodies: JSON merge patch (RFC 7386) and JSON patch (RFC 6902). Strategic
 * merge and apply patches are treated as merge patches: lists are replaced, not
 * merged by key — enough for tests, and said so where it matters. Custom
 * resources refuse strategic merge with 415, as a real API server does.
 */

export class PatchError extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch must be a list of operations');
  let document = structuredClone(target) as Json;
  for (const raw of operations as Operation[]) {
    if (!isObject(raw) || typeof raw.path !== 'string') throw new PatchError('invalid JSON patch operation');
    switch (raw.op) {
      case 'add':
        document = add(document, parsePointer(raw.path), structuredClone(raw.value) as Json);
        break;
      case 'remove':
        document = remove(document, parsePointer(raw.path));
        break;
      case 'replace':
        document = add(
          remove(document, parsePointer(raw.path)),
          parsePointer(raw.path),
          structuredClone(raw.value) as Json,
        );
        break;
      case 'move': {
        const from = parsePointer(requireFrom(raw));
        const value = get(document, from);
        document = add(remove(document, from), parsePointer(raw.path), value);
        break;
      }
      case 'copy':
        document = add(
          document,
          parsePointer(raw.path),
          structuredClone(get(document, parsePointer(requireFrom(raw)))),
        );
        break;
      case 'test':
        if (JSON.stringify(get(document, parsePointer(raw.path))) !== JSON.stringify(raw.value)) {
          throw new PatchError(`testing value ${raw.path} failed`);
        }
        break;
      default:
        throw new PatchError(`unknown JSON patch operation ${JSON.stringify((raw as { op: unknown }).op)}`);
    }
  }
  return document;
}

function requireFrom(operation: Operation): string {
  if (typeof operation.from !== 'string') throw new PatchError(`operation ${operation.op} needs "from"`);
  return operation.from;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(document: Json, path: string[]): Json {
  let current: Json = document;
  for (const token of path) {
    if (Array.isArray(current)) current = current[arrayIndex(current, token, false)] as Json;
    else if (isObject(current) && Object.hasOwn(current, token)) current = current[token]!;
    else throw new PatchError(`path /${path.join('/')} does not exist`);
  }
  return current;
}

function add(document: Json, path: string[], value: Json): Json {
  if (path.length === 0) return value;
  const parent = get(document, path.slice(0, -1));
  const last = path.at(-1)!;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : arrayIndex(parent, last, true);
    parent.splice(index, 0, value);
  } else if (isObject(parent)) {
    parent[last] = value;
  } else {
    throw new PatchError(`cannot add at /${path.join('/')}: parent is not a container`);
  }
  return document;
}

function remove(document: Json, path: string[]): Json {
  if (path.length === 0) return null;
  const parent = get(document, path.slice(0, -1));
  const last = path.at(-1)!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, false), 1);
  else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw new PatchError(`path /${path.join('/')} does not exist`);
  return document;
}

function arrayIndex(array: Json[], token: string, forInsert: boolean): number {
  const index = /^(0|[1-9]\d*)$/.test(token) ? Number(token) : NaN;
  const limit = forInsert ? array.length : array.length - 1;
  if (Number.isNaN(index) || index > limit) throw new PatchError(`array index ${token} is out of range`);
  return index;
}
