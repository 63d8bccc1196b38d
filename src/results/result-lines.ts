import { open } from 'node:fs/promises';
import type { AnyResultRecord } from './records.js';

/** What one line of a result file holds. */
export type ParsedLine =
  | { type: 'record'; record: AnyResultRecord }
  | { type: 'blank' }
  /** A well-formed record of a kind this canary does not know (written by a newer one): skipped. */
  | { type: 'unknown-kind'; kind: string }
  | { type: 'damaged'; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parse one line (without its newline) and check the fields readers rely on. */
export function parseResultLine(bytes: Uint8Array): ParsedLine {
  if (bytes.includes(0)) return { type: 'damaged', reason: 'binary data (NUL bytes), not JSON text' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { type: 'damaged', reason: 'binary data (not UTF-8 text)' };
  }
  if (text.trim() === '') return { type: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { type: 'damaged', reason: `not JSON: ${excerpt(text)}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      type: 'damaged',
      reason: `a JSON ${Array.isArray(value) ? 'array' : typeof value}, not a record`,
    };
  }
  const record = value as Record<string, unknown>;
  if (typeof record.kind !== 'string') return { type: 'damaged', reason: 'a JSON object without "kind"' };
  const missing = missingField(record);
  if (missing === undefined) return { type: 'unknown-kind', kind: record.kind };
  if (missing) return { type: 'damaged', reason: `a ${record.kind} record without a valid "${missing}"` };
  return { type: 'record', record: value as AnyResultRecord };
}

type Check = (value: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number';
const isLoopNumber: Check = (v) => Number.isInteger(v) && (v as number) >= 1;
const isArray: Check = Array.isArray;
const isObject: Check = (v) => v !== null && typeof v === 'object';
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);

/** The fields each record kind must have for the readers and the writer to use it. */
const requiredFields: Record<string, Record<string, Check>> = {
  header: {
    format: isString,
    experimentHash: isString,
    firstLoop: optional(isLoopNumber),
    experiment: isObject,
  },
  loop: {
    loop: isLoopNumber,
    experimentHash: isString,
    status: isString,
    versions: isArray,
    tasks: isArray,
    metrics: isArray,
    slos: isArray,
  },
  end: { experimentHash: isString, loops: isNumber, lastLoop: optional(isNumber) },
  // Notes about the history (`canary results pin|unpin|invalidate`, retention): no loop of their own.
  mark: {
    action: isString,
    loop: optional(isLoopNumber),
    name: optional(isString),
    lastLoop: isNumber,
    experimentHash: isString,
  },
  summary: { summary: isObject, invalid: optional(isArray) },
};

/** The first missing or mistyped field; '' when all are fine; undefined for an unknown kind. */
function missingField(record: Record<string, unknown>): string | undefined {
  const fields = requiredFields[record.kind as string];
  if (!fields) return undefined;
  for (const [name, check] of Object.entries(fields)) if (!check(record[name])) return name;
  return '';
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

const recordStart = Buffer.from('{"kind":"');

/**
 * Could these last bytes (no newline after them) be the start of a record cut by a crash? canary
 * writes each record with "kind" first; a torn write may also leave NUL bytes (a file extended but
 * not written before a power loss). A `{` line after a good record counts too (a hand-made record).
 */
export function looksTorn(bytes: Uint8Array, afterRecord: boolean): boolean {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  const text = Buffer.from(bytes.subarray(0, end));
  if (afterRecord && (text.length === 0 || text[0] === 0x7b)) return true;
  const common = Math.min(text.length, recordStart.length);
  return text.subarray(0, common).equals(recordStart.subarray(0, common));
}

export interface RawLine {
  /** 1-based. */
  number: number;
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  /** The line without its newline. From `readLines`, valid only until the next line is asked for. */
  bytes: Buffer;
  /** False only for a last line that has no newline after it. */
  terminated: boolean;
}

/** The lines of text already in memory (what a reader of the whole file holds), as `readLines` gives them. */
export function* linesOf(data: Buffer): Generator<RawLine> {
  let number = 0;
  let start = 0;
  for (let newline = data.indexOf(0x0a); newline >= 0; newline = data.indexOf(0x0a, start)) {
    yield { number: ++number, offset: start, bytes: data.subarray(start, newline), terminated: true };
    start = newline + 1;
  }
  if (start < data.length)
    yield { number: ++number, offset: start, bytes: data.subarray(start), terminated: false };
}

const readChunkBytes = 1024 * 1024;

/**
 * The lines of a file as bytes, streamed a 1 MiB chunk at a time into one reused buffer: no
 * file-sized string and no garbage per chunk, so a 90 MB file reads in little memory. A line within a
 * chunk is a view into the buffer (decode it before asking for the next line); only a line that
 * crosses chunks is copied, once, from its pieces.
 */
export async function* readLines(file: string): AsyncGenerator<RawLine> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(readChunkBytes);
    let pieces: Buffer[] = [];
    let number = 0;
    let chunkOffset = 0; // where the chunk in `buffer` starts in the file
    let pendingOffset = 0; // where the line in `pieces` starts
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      let start = 0;
      let newline = chunk.indexOf(0x0a);
      if (pieces.length > 0) {
        if (newline < 0) {
          pieces.push(Buffer.from(chunk)); // copied: the next read reuses `buffer`
          chunkOffset += bytesRead;
          continue;
        }
        pieces.push(chunk.subarray(0, newline));
        yield { number: ++number, offset: pendingOffset, bytes: Buffer.concat(pieces), terminated: true };
        pieces = [];
        start = newline + 1;
        newline = chunk.indexOf(0x0a, start);
      }
      for (; newline >= 0; newline = chunk.indexOf(0x0a, start)) {
        const offset = chunkOffset + start;
        yield { number: ++number, offset, bytes: chunk.subarray(start, newline), terminated: true };
        start = newline + 1;
      }
      if (start < chunk.length) {
        pieces.push(Buffer.from(chunk.subarray(start)));
        pendingOffset = chunkOffset + start;
      }
      chunkOffset += bytesRead;
    }
    if (pieces.length > 0)
      yield { number: ++number, offset: pendingOffset, bytes: Buffer.concat(pieces), terminated: false };
  } finally {
    await handle.close();
  }
}
