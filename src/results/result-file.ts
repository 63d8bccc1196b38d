import { createHash } from 'node:crypto';
import { appendFile, mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { CanaryError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { foldMarks } from './marks.js';
import type { LoopSummary } from './cluster-store-summary.js';
import {
  resultFormat,
  type AnyResultRecord,
  type EndRecord,
  type MarkRecord,
  type HeaderRecord,
  type LoopRecord,
  type ResultRecord,
} from './records.js';

/** The result file does not exist (yet): `assert --timeout` waits for it; other read errors are final. */
export class MissingResultsError extends CanaryError {}

/** Where a local run keeps its results unless `--results` says otherwise. */
export function defaultResultsPath(cwd: string, experimentName: string): string {
  return path.join(cwd, 'canary-results', `${experimentName}.jsonl`);
}

/** Stable hash of the compiled experiment: keys sorted, so formatting changes do not count. */
export function hashExperiment(experiment: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(experiment)).digest('hex')}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Where the file ends: enough to continue it without reading it whole. */
export interface ResultTail {
  lastLoop: number;
  experimentHash?: string;
  experimentStart?: string;
  /** Bytes of a torn last line (a crash mid-write), dropped before the next append. */
  tornBytes: number;
  size: number;
}

const tailChunk = 64 * 1024;

/**
 * Read only the end of the file: the last complete record says the last loop number and the
 * experiment hash, so appending stays O(1) however many loops the file holds.
 */
export async function readTail(file: string): Promise<ResultTail> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lastLoop: 0, tornBytes: 0, size: 0 };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    let bytes = Buffer.alloc(0);
    let position = size;
    let tornBytes = -1;
    while (position > 0) {
      const length = Math.min(tailChunk, position);
      position -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, position);
      // Count in bytes, never in decoded text: a chunk boundary or a torn write may split a
      // multi-byte character, and its replacement character would miscount what to truncate.
      bytes = Buffer.concat([buffer, bytes]);
      if (tornBytes < 0) {
        const lastNewline = bytes.lastIndexOf(0x0a);
        if (lastNewline < 0 && position > 0) continue;
        const trailing = bytes.subarray(lastNewline + 1);
        tornBytes =
          trailing.length > 0 && parseRecord(trailing.toString('utf8')) === undefined ? trailing.length : 0;
      }
      const lines = bytes.toString('utf8').split('\n');
      // The first line may be cut by the chunk boundary; only trust it at the start of the file.
      const complete = position > 0 ? lines.slice(1) : lines;
      for (let i = complete.length - 1; i >= 0; i--) {
        const record = parseRecord(complete[i]!);
        // Marks and summaries repeat no loop of their own: the records before them say where the file stands.
        if (!record || isNote(record)) continue;
        const start = record.kind === 'header' ? record.created : record.experimentStart;
        const found = {
          experimentHash: record.experimentHash,
          ...(start ? { experimentStart: start } : {}),
          tornBytes,
          size,
        };
        if (record.kind === 'loop') return { lastLoop: record.loop, ...found };
        if (record.kind === 'header') {
          return { lastLoop: (record.firstLoop ?? 1) - 1, ...found };
        }
        return { lastLoop: record.lastLoop ?? record.loops, ...found };
      }
    }
    return { lastLoop: 0, tornBytes: Math.max(0, tornBytes), size };
  } finally {
    await handle.close();
  }
}

function isNote(record: ResultRecord): boolean {
  const kind = (record as AnyResultRecord).kind;
  return kind === 'mark' || kind === 'summary';
}

function parseRecord(line: string): ResultRecord | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value = JSON.parse(line) as ResultRecord;
    return value && typeof value === 'object' && typeof value.kind === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Appends records as whole lines with one write each, flushed to disk before returning. */
export class ResultWriter {
  readonly warnings: string[] = [];
  private constructor(
    readonly file: string,
    private tail: ResultTail,
  ) {}

  /** Open (or create) the result file; with `fresh`, an existing file is renamed and kept. */
  static async open(file: string, options: { fresh?: boolean } = {}): Promise<ResultWriter> {
    await mkdir(path.dirname(file), { recursive: true });
    const warnings: string[] = [];
    if (options.fresh && (await exists(file))) {
      const archived =
        file.replace(/\.jsonl$/, '') + `.${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
      await rename(file, archived);
      warnings.push(`previous results kept as ${archived}`);
    }
    const tail = await readTail(file);
    const writer = new ResultWriter(file, tail);
    writer.warnings.push(...warnings);
    if (tail.tornBytes > 0) {
      const handle = await open(file, 'r+');
      try {
        await handle.truncate(tail.size - tail.tornBytes);
      } finally {
        await handle.close();
      }
      writer.warnings.push(`dropped a torn last line (${tail.tornBytes} bytes) left by an interrupted write`);
      writer.tail = { ...tail, size: tail.size - tail.tornBytes, tornBytes: 0 };
    } else if (tail.size > 0 && !(await endsWithNewline(file, tail.size))) {
      // A whole last record without its newline (a hand edit, or a write cut just before it):
      // end the line, or the next record would be glued onto it and both be lost.
      await appendFile(file, '\n');
      writer.tail = { ...tail, size: tail.size + 1 };
    }
    return writer;
  }

  /** When the experiment in this file started, if the file has it (undefined for a new segment). */
  get experimentStart(): string | undefined {
    return this.tail.experimentStart;
  }

  get lastLoop(): number {
    return this.tail.lastLoop;
  }

  /** A header starts the file, and starts a new segment when the experiment changed. */
  needsHeader(experimentHash: string): boolean {
    return this.tail.experimentHash !== experimentHash;
  }

  async append(record: AnyResultRecord): Promise<void> {
    const line = `${JSON.stringify(record, finiteNumbers)}\n`;
    const handle = await open(this.file, 'a');
    try {
      await handle.write(line);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    if (record.kind === 'loop') {
      this.tail = {
        ...this.tail,
        lastLoop: record.loop,
        experimentHash: record.experimentHash,
        experimentStart: record.experimentStart,
      };
    } else if (record.kind === 'header') {
      this.tail = { ...this.tail, experimentHash: record.experimentHash, experimentStart: record.created };
    }
  }
}

/** JSON has no NaN or Infinity; a stray one becomes null instead of an unreadable file. */
function finiteNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

async function endsWithNewline(file: string, size: number): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

export interface ResultHistory {
  file: string;
  /** Latest header (the experiment as last run). */
  header?: HeaderRecord;
  loops: LoopRecord[];
  end?: EndRecord;
  warnings: string[];
  /** Pin name -> the pinned loop (`canary results pin`); see pinnedLoop() in marks.ts. */
  pins?: Record<string, LoopRecord>;
  /** Loop number -> why it was invalidated: such loops stay listed but are never compared. */
  invalid?: Record<number, string>;
  /** Aggregates of the loops retention compacted away. */
  earlier?: LoopSummary;
}

/** A compacted invalid loop, as the mark that once invalidated it. */
function invalidMark(loop: number, reason: string): MarkRecord {
  return { kind: 'mark', at: '', action: 'invalidate', loop, reason, lastLoop: 0, experimentHash: '' };
}

/** Read a whole result file. Torn or corrupt lines are skipped with a warning, never fatal. */
export async function readResults(file: string): Promise<ResultHistory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new (code === 'ENOENT' ? MissingResultsError : CanaryError)(
      code === 'ENOENT' ? `no result file at ${file}` : `cannot read ${file}: ${code}`,
      {
        exitCode: ExitCode.usage,
        hints:
          code === 'ENOENT'
            ? ['run the experiment first (`canary run FILE`), or point at its results with --results PATH']
            : [],
      },
    );
  }
  return parseResults(file, text);
}

/** The history in a result file's text (what readResults read), for callers that hold the text. */
export function parseResults(file: string, text: string): ResultHistory {
  const history: ResultHistory = { file, loops: [], warnings: [] };
  const marks: MarkRecord[] = [];
  const lines = text.split('\n');
  // Only a last line without its newline can be torn (each record is written with its newline).
  const lastIndex = text.endsWith('\n') ? -1 : lines.length - 1;
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const record = parseRecord(line);
    if (!record) {
      history.warnings.push(
        index === lastIndex
          ? `ignored a torn last line (${Buffer.byteLength(line)} bytes; a write was interrupted)`
          : `skipped line ${index + 1}: not a valid result record`,
      );
      return;
    }
    if (record.kind === 'header') {
      if (record.format !== resultFormat) {
        throw new CanaryError(
          `${file} has result format ${JSON.stringify(record.format)}; this canary reads ${resultFormat}`,
          {
            exitCode: ExitCode.usage,
            hints: ['upgrade canary to read newer result files'],
          },
        );
      }
      history.header = record;
      history.end = undefined;
    } else if (record.kind === 'loop') {
      history.loops.push(record);
      history.end = undefined;
    } else if (record.kind === 'end') {
      history.end = record;
    } else {
      const note = record as AnyResultRecord;
      if (note.kind === 'mark') marks.push(note);
      if (note.kind === 'summary') {
        history.earlier = note.summary;
        for (const { loop, reason } of note.invalid ?? []) marks.push(invalidMark(loop, reason));
      }
    }
  });
  foldMarks(history, marks);
  if (!history.header && history.loops.length > 0)
    history.warnings.push('the result file has no header record');
  return history;
}
