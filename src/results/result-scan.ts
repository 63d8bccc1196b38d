import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { CanaryError, errorMessage } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { toolVersion } from '../version.js';
import { resolveResultPath, whyMissing } from './result-path.js';
import { looksTorn, parseResultLine, readLines, type RawLine } from './result-lines.js';
import { migrateRecord, migrations, readsFormat } from './result-migrations.js';
import type { LoopPlace } from './tail-stamp.js';
import type { AnyResultRecord, LoopRecord } from './records.js';

/** The result file does not exist (yet): `assert --timeout` waits for it; other read errors are final. */
export class MissingResultsError extends CanaryError {}

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

export interface ScanOutcome {
  problems: LineProblem[];
  /** Records of kinds this canary does not know, as warnings. */
  skipped: string[];
  torn?: { bytes: number; line: number };
  sawRecord: boolean;
}

/** Where a record's line is: its number and its bytes in the file (without the newline). */
interface LinePlace {
  line: number;
  offset: number;
  length: number;
}

type RecordVisitor = (record: AnyResultRecord, place: LinePlace) => void;

/**
 * Checks the file's lines one at a time: each record goes to `visit` (migrated to the current shape),
 * each problem and a torn last line are collected. One implementation for the streamed file
 * (`scanResultFile`) and for text already in memory (`parseResults`).
 */
export function lineScanner(file: string, visit: RecordVisitor) {
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
export async function scanResultFile(file: string, visit: RecordVisitor): Promise<ScanOutcome> {
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
export async function checkRegularFile(file: string): Promise<void> {
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
export function damagedFile(file: string, problems: LineProblem[], sawRecord: boolean): ResultFileError {
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
