import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import protobuf from 'protobufjs';
// Adds Root.fromDescriptor, for protosets.
import 'protobufjs/ext/descriptor/index.js';

/** A .proto or protoset that cannot be used; `file:line:col` when the problem has a place. */
export class ProtoError extends Error {
  constructor(
    message: string,
    readonly where?: { file: string; line: number; column: number },
  ) {
    super(where ? `${where.file}:${where.line}:${where.column}: ${message}` : message);
    this.name = 'ProtoError';
  }
}

/** Field names stay as written in the .proto (ghz's JSON accepts them, and lowerCamelCase too). */
const parseOptions = { keepCase: true };

/** Parses a .proto file and its imports (relative to it, or protobufjs's well-known types). */
export async function loadProtoFile(file: string): Promise<protobuf.Root> {
  const root = new protobuf.Root();
  const baseDir = path.dirname(file);
  root.resolvePath = (origin, target) => {
    if (path.isAbsolute(target)) return target;
    const besideOrigin = path.resolve(path.dirname(origin), target);
    return existsSync(besideOrigin) ? besideOrigin : path.resolve(baseDir, target);
  };
  try {
    // Synchronous: the asynchronous load resolves types in a callback, where an error escapes uncaught.
    root.loadSync(file, parseOptions);
  } catch (error) {
    throw describeParseError(error, file, (name) => readFileSync(name, 'utf8'));
  }
  return resolveTypes(root, file, () => readFileSync(file, 'utf8'));
}

/** Parses .proto text fetched from `origin` (a URL): no imports beyond the well-known types. */
export function parseProtoText(text: string, origin: string): protobuf.Root {
  let root: protobuf.Root;
  try {
    root = protobuf.parse(text, new protobuf.Root(), parseOptions).root;
  } catch (error) {
    throw describeParseError(error, origin, () => text);
  }
  return resolveTypes(root, origin, () => text);
}

/** Reads a protoset: a binary FileDescriptorSet, as protoc --descriptor_set_out writes it. */
export async function loadProtoset(file: string): Promise<protobuf.Root> {
  const bytes = await readFile(file);
  let root: protobuf.Root;
  try {
    root = (protobuf.Root as unknown as { fromDescriptor(bytes: Uint8Array): protobuf.Root }).fromDescriptor(
      bytes,
    );
  } catch (error) {
    throw new ProtoError(
      `${file} is not a protoset (a binary FileDescriptorSet): ${(error as Error).message}`,
    );
  }
  return resolveTypes(root, file, () => '');
}

function resolveTypes(root: protobuf.Root, file: string, text: () => string): protobuf.Root {
  try {
    root.resolveAll();
    return root;
  } catch (error) {
    throw unresolvedTypeError((error as Error).message, file, text);
  }
}

/** "no such Type or Enum 'Strin' in Type .pkg.Msg": the name is written somewhere in the file. */
function unresolvedTypeError(message: string, file: string, text: () => string): ProtoError {
  const name = /'([^']+)'/.exec(message)?.[1];
  let where: { line: number; column: number } | undefined;
  try {
    const pattern = new RegExp(`(?<![\\w.])${escapeRegExp(name ?? '')}(?![\\w])`);
    where = name !== undefined ? locate(text(), pattern) : undefined;
  } catch {
    where = undefined; // the file cannot be read again: no position
  }
  return new ProtoError(message, where ? { file, ...where } : undefined);
}

/** protobufjs says "illegal token 'x' (file, line 3)"; the column is where that token is on the line. */
function describeParseError(
  error: unknown,
  fallbackFile: string,
  read: (file: string) => string,
): ProtoError {
  const message = (error as Error).message ?? String(error);
  const located = /^(.*) \((?:(.*), )?line (\d+)\)$/s.exec(message);
  if (!located) {
    const missing = /ENOENT[^']*'([^']+)'/.exec(message)?.[1];
    if (missing) return new ProtoError(`cannot read ${missing}: no such file`);
    // Loading resolves types too: "no such Type or Enum 'Strin' in Type .p.A".
    return unresolvedTypeError(message, fallbackFile, () => read(fallbackFile));
  }
  const [, what, file = fallbackFile, lineText] = located;
  const line = Number(lineText);
  const token = /'([^']*)'/.exec(what!)?.[1];
  let column = 1;
  try {
    const source = read(file).split('\n')[line - 1] ?? '';
    const index = token ? source.indexOf(token) : -1;
    column = index >= 0 ? index + 1 : source.length - source.trimStart().length + 1;
  } catch {
    // The file is gone: line only.
  }
  return new ProtoError(what!, { file, line, column });
}

function locate(text: string, pattern: RegExp): { line: number; column: number } | undefined {
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (/^\s*(\/\/|import\b|package\b)/.test(line)) continue;
    const match = pattern.exec(line);
    if (match) return { line: i + 1, column: match.index + 1 };
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
