import { createHash } from 'node:crypto';
import { appendFile, mkdir, open, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { CanaryError } from '../errors.js';
import type { MetricInfo, MetricValue } from '../metrics/metric-board.js';
import { ExitCode } from '../exit-codes.js';
import {
  resultFormat,
  type EndRecord,
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
        if (!record) continue;
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

  async append(record: ResultRecord): Promise<void> {
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
  /**
   * Every loop, oldest first. When read with `fullLoops`, only the latest `fullLoops` are whole; older
   * ones are summarized (see `summarizeLoop`).
   */
  loops: LoopRecord[];
  /** metricInfo of the summarized loops, merged in order (later loops win), so no description is lost. */
  summarizedMetricInfo?: Record<string, MetricInfo>;
  end?: EndRecord;
  warnings: string[];
}

export interface ReadResultsOptions {
  /**
   * Keep only the latest `fullLoops` loops whole and summarize older ones as they are read, so memory
   * grows with the metrics per loop, not with everything each loop recorded. Default: every loop whole.
   */
  fullLoops?: number;
}

/**
 * What a report needs of an older loop: its number, times, status, versions and metric values. Its
 * tasks, SLO verdicts, queries, no-data reasons and histograms are left out (a report shows those for
 * the latest loop only); its metricInfo is merged into `into`.
 */
export function summarizeLoop(record: LoopRecord, into: Record<string, MetricInfo>): LoopRecord {
  if (record.metricInfo) Object.assign(into, record.metricInfo);
  return {
    kind: 'loop',
    loop: record.loop,
    experimentHash: record.experimentHash,
    experimentStart: record.experimentStart,
    start: record.start,
    end: record.end,
    durationMs: record.durationMs,
    status: record.status,
    versions: record.versions,
    tasks: [],
    metrics: (record.metrics ?? []).map((perVersion) => {
      const values: Record<string, MetricValue> = {};
      for (const name in perVersion) values[name] = { value: perVersion[name]!.value };
      return values;
    }),
    slos: [],
  };
}

const readChunkBytes = 1024 * 1024;

/**
 * Read a result file, a chunk at a time (a file of 10,000 loops is ~90 MB: never one string). Torn or
 * corrupt lines are skipped with a warning, never fatal.
 */
export async function readResults(file: string, options: ReadResultsOptions = {}): Promise<ResultHistory> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw readError(file, error);
  }
  const history: ResultHistory = { file, loops: [], warnings: [] };
  const take = recordTaker(history, options.fullLoops);
  try {
    const buffer = Buffer.alloc(readChunkBytes);
    let carry: Buffer = Buffer.alloc(0);
    let lineNumber = 0;
    for (;;) {
      let bytesRead;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
      } catch (error) {
        throw readError(file, error);
      }
      if (bytesRead === 0) break;
      let start = 0;
      for (let newline = buffer.indexOf(0x0a); newline >= 0 && newline < bytesRead;) {
        // A line begun in an earlier chunk is joined with its end; other lines are decoded in place.
        const line =
          carry.length > 0
            ? Buffer.concat([carry, buffer.subarray(0, newline)]).toString('utf8')
            : buffer.toString('utf8', start, newline);
        carry = Buffer.alloc(0);
        take(line, ++lineNumber, false);
        start = newline + 1;
        newline = buffer.indexOf(0x0a, start);
      }
      // Copied: `buffer` is reused by the next read.
      carry = Buffer.concat([carry, buffer.subarray(start, bytesRead)]);
    }
    // Only a last line without its newline can be torn (each record is written with its newline).
    if (carry.length > 0) take(carry.toString('utf8'), ++lineNumber, true);
  } finally {
    await handle.close();
  }
  if (!history.header && history.loops.length > 0)
    history.warnings.push('the result file has no header record');
  return history;
}

/** Adds one line of the file to `history`. */
function recordTaker(
  history: ResultHistory,
  fullLoops: number | undefined,
): (line: string, lineNumber: number, last: boolean) => void {
  return (line, lineNumber, last) => {
    if (line.trim() === '') return;
    const record = parseRecord(line);
    if (!record) {
      history.warnings.push(
        last
          ? `ignored a torn last line (${Buffer.byteLength(line)} bytes; a write was interrupted)`
          : `skipped line ${lineNumber}: not a valid result record`,
      );
      return;
    }
    if (record.kind === 'header') {
      if (record.format !== resultFormat) {
        throw new CanaryError(
          `${history.file} has result format ${JSON.stringify(record.format)}; this canary reads ${resultFormat}`,
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
      if (fullLoops !== undefined && history.loops.length > Math.max(0, fullLoops)) {
        const older = history.loops.length - Math.max(0, fullLoops) - 1;
        history.summarizedMetricInfo ??= {};
        history.loops[older] = summarizeLoop(history.loops[older]!, history.summarizedMetricInfo);
      }
    } else if (record.kind === 'end') {
      history.end = record;
    }
  };
}

function readError(file: string, error: unknown): CanaryError {
  const code = (error as NodeJS.ErrnoException).code;
  return new (code === 'ENOENT' ? MissingResultsError : CanaryError)(
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
