import { createHash } from 'node:crypto';
import { appendFile, mkdir, open, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { CanaryError, errorMessage } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { MetricInfo, MetricValue } from '../metrics/metric-board.js';
import { toolVersion } from '../version.js';
import { foldMarks } from './marks.js';
import { addLoopVerdicts, type SloHistoryCounts } from './verdict-counts.js';
import type { LoopSummary } from './cluster-store-summary.js';
import { ResultFileBusyError, withAppendGuard, type LockOptions } from './result-lock.js';
import { resolveResultPath, whyMissing, type ResolvedResultPath } from './result-path.js';
import { WriterLock } from './writer-lock.js';
import { linesOf, looksTorn, parseResultLine, readLines, type RawLine } from './result-lines.js';
import { migrateRecord, migrations, readsFormat } from './result-migrations.js';
import { readStampedTail, stampTail, type LoopPlace } from './tail-stamp.js';
import {
  resultFormat,
  type AnyResultRecord,
  type EndRecord,
  type HeaderRecord,
  type LoopRecord,
  type MarkRecord,
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

/** Where the file ends: enough to continue it. */
export interface ResultTail {
  lastLoop: number;
  experimentHash?: string;
  experimentStart?: string;
  /** Format of the segment the file ends in (its last header); absent without a header. */
  format?: string;
  /** The last loop record: failAfter streaks and a comparison's look continue from it. */
  lastLoopRecord?: LoopRecord;
  /** Where the last loop record's line is in the file (without its newline). */
  lastLoopAt?: LoopPlace;
  /** Bytes of a torn last line (a crash mid-write), dropped before the next append. */
  tornBytes: number;
  /** The last record is whole but has no newline after it (a hand edit). */
  unterminated?: boolean;
  size: number;
}

/** The result file cannot be used: what is wrong, where (file:line) and how to fix it. */
export class ResultFileError extends CanaryError {
  constructor(message: string, hints: string[], cause?: unknown) {
    super(message, { exitCode: ExitCode.badResults, hints, cause });
    this.name = 'ResultFileError';
  }
}

interface LineProblem {
  line: number;
  reason: string;
}

interface ScanOutcome {
  problems: LineProblem[];
  /** Records of kinds this canary does not know, as warnings. */
  skipped: string[];
  torn?: { bytes: number; line: number };
  sawRecord: boolean;
}

/**
 * Checks the file's lines one at a time: each record goes to `visit` (migrated to the current shape),
 * each problem and a torn last line are collected. One implementation for the streamed file
 * (`scanResultFile`) and for text already in memory (`parseResults`).
 */
/** Where a record's line is: its number and its bytes in the file (without the newline). */
interface LinePlace {
  line: number;
  offset: number;
  length: number;
}

type RecordVisitor = (record: AnyResultRecord, place: LinePlace) => void;

function lineScanner(file: string, visit: RecordVisitor) {
  const outcome: ScanOutcome = { problems: [], skipped: [], sawRecord: false };
  let format: string | undefined;
  let segment: { hash: string; line: number } | undefined;
  const take = ({ number, offset, bytes, terminated }: RawLine): void => {
    const parsed = parseResultLine(bytes);
    if (parsed.type === 'blank') return;
    if (parsed.type === 'unknown-kind') {
      outcome.skipped.push(
        `${file}:${number}: skipped a record of kind "${parsed.kind}" this canary does not know (written by a newer one?)`,
      );
      return;
    }
    if (parsed.type === 'damaged') {
      if (!terminated && looksTorn(bytes, outcome.sawRecord))
        outcome.torn = { bytes: bytes.length, line: number };
      else outcome.problems.push({ line: number, reason: parsed.reason });
      return;
    }
    let record = parsed.record;
    if (record.kind === 'header') {
      format = record.format;
      if (!readsFormat(record.format)) {
        outcome.problems.push({ line: number, reason: `result format ${JSON.stringify(record.format)}` });
        return;
      }
    }
    if (format !== undefined && !readsFormat(format)) return; // the rest of an unreadable segment
    if (record.kind === 'header' || record.kind === 'loop' || record.kind === 'end') {
      record = migrateRecord(record, format);
    }
    // Checked after migration: a format whose hashes changed would reconcile them in its migration.
    if (record.kind === 'header') segment = { hash: record.experimentHash, line: number };
    else if (record.kind === 'loop' && segment && record.experimentHash !== segment.hash) {
      outcome.problems.push({
        line: number,
        reason: `loop ${record.loop} has experimentHash ${record.experimentHash}, but its segment's header (line ${segment.line}) has ${segment.hash}`,
      });
      return;
    }
    outcome.sawRecord = true;
    visit(record, { line: number, offset, length: bytes.length });
  };
  return { take, outcome };
}

/** One pass over the file's lines, streamed: see `lineScanner`. */
async function scanResultFile(file: string, visit: RecordVisitor): Promise<ScanOutcome> {
  await checkRegularFile(file);
  const { take, outcome } = lineScanner(file, visit);
  try {
    for await (const line of readLines(file)) take(line);
  } catch (error) {
    throw unreadable(file, error);
  }
  return outcome;
}

/** Reading a FIFO would block until someone writes to it, and a directory has no lines. */
async function checkRegularFile(file: string): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw await missing(file);
    throw unreadable(file, error);
  }
  if (info.isFile()) return;
  const what = info.isDirectory()
    ? 'a directory'
    : info.isFIFO()
      ? 'a named pipe (FIFO)'
      : 'not a regular file';
  throw new ResultFileError(`${file} is ${what}, not a result file`, [
    info.isDirectory()
      ? `name a file, e.g. --results ${path.join(file, 'experiment.jsonl')}`
      : 'name a regular file with --results PATH (canary reads it whole and appends to it)',
  ]);
}

async function missing(file: string): Promise<MissingResultsError> {
  const why = whyMissing(await resolveResultPath(file).catch(() => ({ real: file })));
  return new MissingResultsError(`no result file at ${file}${why}`, {
    exitCode: ExitCode.usage,
    hints: ['run the experiment first (`canary run FILE`), or point at its results with --results PATH'],
  });
}

/** `canary run` creates a missing folder, but never one a symlink points into: that is likely a mistake. */
function unreachable(file: string, resolved: ResolvedResultPath): CanaryError {
  return new CanaryError(`cannot write results to ${file}${whyMissing(resolved)}`, {
    exitCode: ExitCode.usage,
    hints: [
      'create that folder, point the link at a folder that exists, or choose another file with --results PATH',
    ],
  });
}

function unreadable(file: string, error: unknown): CanaryError {
  if (error instanceof CanaryError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? errorMessage(error));
  return new ResultFileError(
    `cannot read ${file}: ${why}`,
    code === 'EACCES' || code === 'EPERM'
      ? ['give this user read access to the file (and write access to its folder for `canary run`)']
      : [],
    error,
  );
}

/** The refusal for damaged lines or an unreadable format: nothing is changed in the file. */
function damagedFile(file: string, problems: LineProblem[], sawRecord: boolean): ResultFileError {
  const [first] = problems as [LineProblem];
  const more =
    problems.length > 1
      ? ` (and ${problems.length - 1} more: lines ${problems
          .slice(1, 6)
          .map((p) => p.line)
          .join(', ')}${problems.length > 6 ? ', …' : ''})`
      : '';
  if (first.reason.startsWith('result format ')) {
    return new ResultFileError(
      `${file}:${first.line}: ${first.reason} is not one this canary reads (${Object.keys(migrations).join(', ')})`,
      [
        `the file was written by a newer canary: upgrade canary (this is ${toolVersion}) to read it`,
        'or start a new file: `canary run --fresh` keeps this one under a dated name',
      ],
    );
  }
  if (!sawRecord && first.line === 1) {
    return new ResultFileError(`${file} is not a canary result file (line 1: ${first.reason})`, [
      'point --results at a .jsonl file written by `canary run`',
    ]);
  }
  return new ResultFileError(`${file}:${first.line}: damaged line: ${first.reason}${more}`, [
    `the other lines are intact; look at the line (sed -n ${first.line}p ${file}), then repair or delete it`,
    'or start a new file: `canary run --fresh` keeps this one under a dated name',
  ]);
}

/**
 * Where the file ends, after checking every line: a writer appends only to a file the readers accept.
 * Reading it whole costs one pass when a run opens the file; appends stay O(1).
 */
export async function readTail(file: string): Promise<ResultTail> {
  let tail: ResultTail = { lastLoop: 0, tornBytes: 0, size: 0 };
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return tail;
    throw unreadable(file, error);
  }
  let lastRecordLine = 0;
  const { problems, torn, sawRecord } = await scanResultFile(file, (record, { line, offset, length }) => {
    lastRecordLine = line;
    // Marks and summaries repeat no loop of their own: the records before them say where the file stands.
    if (record.kind === 'mark' || record.kind === 'summary') return;
    const start = record.kind === 'header' ? record.created : record.experimentStart;
    const known = {
      ...tail,
      experimentHash: record.experimentHash,
      ...(start ? { experimentStart: start } : {}),
    };
    if (record.kind === 'header')
      tail = { ...known, format: record.format, lastLoop: (record.firstLoop ?? 1) - 1 };
    else if (record.kind === 'loop')
      tail = {
        ...known,
        lastLoop: record.loop,
        lastLoopRecord: record,
        lastLoopAt: { loop: record.loop, offset, length },
      };
    else tail = { ...known, lastLoop: record.lastLoop ?? record.loops };
  });
  if (problems.length > 0) throw damagedFile(file, problems, sawRecord);
  const tornBytes = torn ? torn.bytes : 0;
  return {
    ...tail,
    tornBytes,
    size,
    ...(!torn && lastRecordLine > 0 && !(await endsWithNewline(file, size)) ? { unterminated: true } : {}),
  };
}

/** Appends records as whole lines with one write each, flushed to disk before returning. */
export class ResultWriter {
  readonly warnings: string[] = [];
  private positionKnown = true;
  private constructor(
    readonly file: string,
    private tail: ResultTail,
    private readonly lock: WriterLock,
  ) {}

  /**
   * Lock the file, then open (or create) it; with `fresh`, an existing file is renamed and kept. A file
   * the readers would refuse (damaged line, newer format, not a file) is refused here too, untouched.
   * The writer works on the file's real path (`file` may be a symlink or a hard link, see WriterLock):
   * appends, `--fresh` and compaction reach the file itself and leave a link to it a link.
   */
  static async open(
    file: string,
    options: { fresh?: boolean; env?: Record<string, string | undefined> } & LockOptions = {},
  ): Promise<ResultWriter> {
    await mkdir(path.dirname(file), { recursive: true }).catch((error: unknown) => {
      throw cannotWrite(file, error);
    });
    const resolved = await resolveResultPath(file).catch((error: unknown) => {
      throw cannotWrite(file, error);
    });
    if ('missingFolder' in resolved) throw unreachable(file, resolved);
    const real = resolved.real;
    await checkRegularFile(real).catch((error: unknown) => {
      if (!(error instanceof MissingResultsError)) throw error;
    });
    const lock = await WriterLock.acquire(real, options).catch((error: unknown) => {
      throw cannotWrite(file, error);
    });
    try {
      return await ResultWriter.openLocked(real, options, lock);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  private static async openLocked(file: string, options: { fresh?: boolean }, lock: WriterLock) {
    if (options.fresh && (await exists(file))) {
      const archived = await freeArchiveName(file);
      // A rename is atomic: a crash leaves either the old file in place or the archive and no file.
      await rename(file, archived);
      await syncFolder(path.dirname(file));
      lock.notes.push(`previous results kept as ${archived}`);
    }
    // The inode lock needs an inode: an empty file reads like a missing one ("no results recorded yet").
    const handle = await open(file, 'a').catch((error: unknown) => {
      throw cannotWrite(file, error);
    });
    await handle.close();
    await lock.guardInode();
    const warnings = [...lock.notes];
    // A file unchanged since a writer checked it whole and closed it needs no second pass.
    const stamped = await readStampedTail(file);
    const tail = stamped ? { ...stamped, tornBytes: 0 } : await readTail(file);
    const writer = new ResultWriter(file, tail, lock);
    writer.warnings.push(...warnings);
    if (tail.tornBytes > 0) {
      const handle = await open(file, 'r+');
      try {
        await handle.truncate(tail.size - tail.tornBytes);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      writer.warnings.push(`dropped a torn last line (${tail.tornBytes} bytes) left by an interrupted write`);
      writer.tail = { ...tail, size: tail.size - tail.tornBytes, tornBytes: 0 };
    } else if (tail.unterminated) {
      // A whole last record without its newline (a hand edit, or a write cut just before it):
      // end the line, or the next record would be glued onto it and both be lost.
      await appendFile(file, '\n');
      writer.tail = { ...tail, size: tail.size + 1, unterminated: false };
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

  /** The latest loop in the file, if it belongs to this experiment's current segment. */
  previousLoop(experimentHash: string): LoopRecord | undefined {
    const loop = this.tail.lastLoopRecord;
    return !this.needsHeader(experimentHash) && loop?.experimentHash === experimentHash ? loop : undefined;
  }

  /** A header starts the file, and a new segment when the experiment (or the result format) changed. */
  needsHeader(experimentHash: string): boolean {
    return this.tail.experimentHash !== experimentHash || (this.tail.format ?? resultFormat) !== resultFormat;
  }

  /** Where the file stands: the last loop and the experiment (hash, start) it belongs to. */
  get position(): Pick<ResultTail, 'lastLoop' | 'experimentHash' | 'experimentStart'> {
    const { lastLoop, experimentHash, experimentStart } = this.tail;
    return {
      lastLoop,
      ...(experimentHash !== undefined ? { experimentHash } : {}),
      ...(experimentStart !== undefined ? { experimentStart } : {}),
    };
  }

  /** Throws (exit 6) when another run took this one's lock over: nothing more may be written then. */
  async verifyLock(): Promise<void> {
    await this.lock.verify();
  }

  async append(record: AnyResultRecord): Promise<void> {
    // Another run may have taken the lock over (this one was suspended past the heartbeat): stop
    // rather than interleave with it.
    await this.lock.verify();
    const created = this.tail.size === 0;
    const offset = this.tail.size;
    const bytes = await appendLine(this.file, record);
    // A new file's name must survive a power loss too, not only its content.
    if (created) await syncFolder(path.dirname(this.file));
    this.tail = { ...this.tail, size: this.tail.size + bytes };
    if (record.kind === 'loop') {
      this.tail = {
        ...this.tail,
        lastLoop: record.loop,
        lastLoopRecord: record,
        lastLoopAt: { loop: record.loop, offset, length: bytes - 1 },
        experimentHash: record.experimentHash,
        experimentStart: record.experimentStart,
      };
    } else if (record.kind === 'header') {
      this.tail = {
        ...this.tail,
        experimentHash: record.experimentHash,
        experimentStart: record.created,
        format: record.format,
      };
    }
  }

  /**
   * The file was replaced behind the writer (retention compacted it): its size and offsets are no
   * longer known, so the next writer checks it whole.
   */
  forgetPosition(): void {
    this.positionKnown = false;
  }

  /** Retention renamed a compacted copy (a new inode) over the file: forget the position, lock the new inode. */
  async followReplacement(): Promise<void> {
    this.forgetPosition();
    await this.lock.guardInode();
  }

  /** Release the lock; the file stays as written, stamped as checked when the writer knows where it ends. */
  async close(): Promise<void> {
    if (this.positionKnown && (await this.holdsLock())) {
      const { lastLoop, experimentHash, experimentStart, format, lastLoopAt, size } = this.tail;
      await stampTail(this.file, { lastLoop, experimentHash, experimentStart, format, lastLoopAt, size });
    }
    await this.lock.release();
  }

  private async holdsLock(): Promise<boolean> {
    try {
      await this.lock.verify();
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Append one note (a `mark` record) to a result file. With no run writing the file, it is written under
 * the file's lock like any record. While a run holds the lock (a cron experiment may hold it for days),
 * the note goes in beside it: one whole line in one append cannot interleave with the run's records,
 * and the append guard keeps it from landing in a file retention is replacing.
 */
export async function appendNote(
  file: string,
  note: (where: ResultWriter['position']) => AnyResultRecord,
): Promise<AnyResultRecord> {
  let writer: ResultWriter | undefined;
  try {
    writer = await ResultWriter.open(file);
  } catch (error) {
    if (!(error instanceof ResultFileBusyError)) throw error;
  }
  if (writer) {
    try {
      const record = note(writer.position);
      await writer.append(record);
      return record;
    } finally {
      await writer.close();
    }
  }
  // The run repaired any torn or unterminated last line when it opened the file; readTail still
  // refuses a damaged one. The run locked the real path, so the append guard is keyed by it too.
  const resolved = await resolveResultPath(file);
  if ('real' in resolved) file = resolved.real;
  const { lastLoop, experimentHash, experimentStart } = await readTail(file);
  const record = note({
    lastLoop,
    ...(experimentHash !== undefined ? { experimentHash } : {}),
    ...(experimentStart !== undefined ? { experimentStart } : {}),
  });
  await withAppendGuard(file, () => appendLine(file, record));
  return record;
}

/** One record as one whole line in one write, flushed to disk; returns the bytes written. */
async function appendLine(file: string, record: AnyResultRecord): Promise<number> {
  const line = Buffer.from(`${JSON.stringify(record, finiteNumbers)}\n`, 'utf8');
  const handle = await open(file, 'a');
  try {
    await handle.write(line);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  return line.length;
}

function cannotWrite(file: string, error: unknown): unknown {
  if (error instanceof CanaryError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const known = ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOENT', 'ELOOP'];
  if (!known.includes(code ?? '')) return error;
  return new ResultFileError(
    `cannot write results next to ${file}: ${code}`,
    [
      'canary run needs write access to the result file and its folder (for FILE.lock); choose another with --results PATH',
    ],
    error,
  );
}

/** `NAME.<time>.jsonl`, with a counter when that exists: rename would silently replace it. */
export async function freeArchiveName(file: string, now = new Date()): Promise<string> {
  const stem = `${file.replace(/\.jsonl$/, '')}.${now.toISOString().replace(/[:.]/g, '-')}`;
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${stem}.jsonl` : `${stem}-${n}.jsonl`;
    if (!(await exists(name))) return name;
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems cannot sync a directory; the data itself was synced.
  } finally {
    await handle.close();
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
  /** The summarized loops' SLO verdicts, counted per SLO and version (warn SLOs show them). */
  summarizedSloCounts?: SloHistoryCounts;
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
 * the latest loop only); its metricInfo is merged into `into`, its verdicts counted into `sloCounts`.
 */
export function summarizeLoop(
  record: LoopRecord,
  into: Record<string, MetricInfo>,
  sloCounts?: SloHistoryCounts,
): LoopRecord {
  if (record.metricInfo) Object.assign(into, record.metricInfo);
  if (sloCounts) addLoopVerdicts(sloCounts, record);
  return {
    kind: 'loop',
    loop: record.loop,
    experimentHash: record.experimentHash,
    experimentStart: record.experimentStart,
    start: record.start,
    end: record.end,
    durationMs: record.durationMs,
    status: record.status,
    ...(record.retrospective ? { retrospective: record.retrospective } : {}),
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

/** Builds the history record by record, as the scanner hands them over, then checks what it saw. */
function historyBuilder(file: string, { fullLoops }: ReadResultsOptions = {}) {
  const history: ResultHistory = { file, loops: [], warnings: [] };
  const marks: MarkRecord[] = [];
  const visit = (record: AnyResultRecord): void => {
    if (record.kind === 'header') {
      history.header = record;
      history.end = undefined;
    } else if (record.kind === 'loop') {
      history.loops.push(record);
      history.end = undefined;
      if (fullLoops !== undefined && history.loops.length > Math.max(0, fullLoops)) {
        const older = history.loops.length - Math.max(0, fullLoops) - 1;
        history.summarizedMetricInfo ??= {};
        history.summarizedSloCounts ??= new Map();
        history.loops[older] = summarizeLoop(
          history.loops[older]!,
          history.summarizedMetricInfo,
          history.summarizedSloCounts,
        );
      }
    } else if (record.kind === 'end') {
      history.end = record;
    } else if (record.kind === 'mark') {
      marks.push(record);
    } else {
      history.earlier = record.summary;
      for (const { loop, reason } of record.invalid ?? []) marks.push(invalidMark(loop, reason));
    }
  };
  const finish = ({ problems, skipped, torn, sawRecord }: ScanOutcome): ResultHistory => {
    if (problems.length > 0) throw damagedFile(file, problems, sawRecord);
    if (!sawRecord && skipped.length === 0) {
      throw new MissingResultsError(`${file} is empty: no results recorded yet`, {
        exitCode: ExitCode.usage,
        hints: [
          'a run that just started writes its first record shortly; `canary assert --timeout` waits for it',
        ],
      });
    }
    history.warnings.push(...skipped);
    if (torn) {
      history.warnings.push(`ignored a torn last line (${torn.bytes} bytes; a write was interrupted)`);
    }
    foldMarks(history, marks);
    if (!history.header && history.loops.length > 0)
      history.warnings.push('the result file has no header record');
    return history;
  };
  return { visit, finish };
}

/**
 * Read a whole result file, streamed (never one file-sized string: 10,000 loops are ~90 MB), each
 * record migrated to the current shape; with `fullLoops`, older loops summarized as they are read.
 * Marks and summaries are folded in (pins, invalid loops, earlier aggregates). A torn last line (a crash mid-write) is
 * ignored with a warning; any other damaged line, or a format this canary does not read, is an error
 * naming file:line. An empty file is treated like a missing one (nothing recorded yet).
 */
export async function readResults(file: string, options: ReadResultsOptions = {}): Promise<ResultHistory> {
  const { visit, finish } = historyBuilder(file, options);
  return finish(await scanResultFile(file, visit));
}

/** The history in a result file's content (what readResults would read), for callers that hold it. */
export function parseResults(
  file: string,
  content: string | Buffer,
  options: ReadResultsOptions = {},
): ResultHistory {
  const { visit, finish } = historyBuilder(file, options);
  const { take, outcome } = lineScanner(file, visit);
  for (const line of linesOf(typeof content === 'string' ? Buffer.from(content, 'utf8') : content))
    take(line);
  return finish(outcome);
}
