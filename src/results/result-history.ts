import type { MetricInfo, MetricValue } from '../metrics/metric-board.js';
import { ExitCode } from '../exit-codes.js';
import type { LoopSummary } from './cluster-store-summary.js';
import { foldMarks } from './marks.js';
import type { EndRecord, HeaderRecord, LoopRecord, MarkRecord, AnyResultRecord } from './records.js';
import { linesOf } from './result-lines.js';
import {
  damagedFile,
  lineScanner,
  MissingResultsError,
  scanResultFile,
  type ScanOutcome,
} from './result-scan.js';
import { addLoopVerdicts, type SloHistoryCounts } from './verdict-counts.js';

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
export function invalidMark(loop: number, reason: string): MarkRecord {
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
