/**
 * `canary run FILE --replay RESULTS` as data: per reported loop what changed, a summary, and the
 * assertions of the latest reported loop, which give the exit code. `-o json` prints it as is.
 */
import { assertConditions, experimentState, type AssertionOutcome } from '../results/assertions.js';
import type { SloVerdict } from '../results/records.js';
import type { ReplayedLoop } from './replay-loops.js';
import { compareLoops, type LoopChanges } from './verdict-changes.js';

export const replayFormat = 'canary.replay/v1';

export interface ReplayReport {
  format: typeof replayFormat;
  /** The result file replayed, as given. */
  results: string;
  experiment: { name: string; source?: string };
  /** Loops judged again (every valid loop up to the latest reported one). */
  replayed: number;
  /** Loop numbers marked invalid in the file, left out. */
  invalid: number[];
  loops: Array<LoopChanges & { slos: SloVerdict[] }>;
  summary: {
    loops: number;
    loopsWithChanges: number;
    /** Status or gate differs. */
    changed: number;
    /** Same status and gate, other fields differ (limit, value, policy, comparison...). */
    revised: number;
    new: number;
    gone: number;
    unchanged: number;
    taskChanges: number;
    /** SLOs (`[relative|compare ]metric op`) the experiment judges and the recording did not, and back. */
    newSlos: string[];
    goneSlos: string[];
  };
  /** Judged on the latest reported loop as replayed: the exit code CI gates on. */
  assertions: AssertionOutcome;
}

export function buildReplayReport(options: {
  results: string;
  experiment: { name: string; source?: string };
  replayed: readonly ReplayedLoop[];
  /** Loop numbers to report (each replayed). */
  report: ReadonlySet<number>;
  invalid: number[];
}): ReplayReport {
  const reported = options.replayed.filter((loop) => options.report.has(loop.recorded.loop));
  const loops = reported.map(({ recorded, replayed }) => ({
    ...compareLoops(recorded, replayed),
    slos: replayed.slos,
  }));
  const all = loops.flatMap((loop) => loop.verdicts);
  const count = (change: string) => all.filter((v) => v.change === change).length;
  const names = (change: 'new' | 'gone') => [
    ...new Set(
      all.flatMap((v) => (v.change === change ? [sloName(v.change === 'new' ? v.after : v.before)] : [])),
    ),
  ];
  const latest = reported.at(-1);
  const upToLatest = latest
    ? options.replayed.slice(0, options.replayed.indexOf(latest) + 1).map((loop) => loop.replayed)
    : [];
  const state = experimentState({ file: options.results, loops: upToLatest, warnings: [] });
  return {
    format: replayFormat,
    results: options.results,
    experiment: options.experiment,
    replayed: upToLatest.length,
    invalid: options.invalid,
    loops,
    summary: {
      loops: loops.length,
      loopsWithChanges: loops.filter((loop) => loop.verdicts.length > 0 || loop.tasks.length > 0).length,
      changed: count('changed'),
      revised: count('revised'),
      new: count('new'),
      gone: count('gone'),
      unchanged: loops.reduce((sum, loop) => sum + loop.unchanged, 0),
      taskChanges: loops.reduce((sum, loop) => sum + loop.tasks.length, 0),
      newSlos: names('new'),
      goneSlos: names('gone'),
    },
    assertions: assertConditions(state, { completed: true, nofailure: true, slos: true }),
  };
}

/** `kserve-prometheus/latency-mean <=`, `relative http/latency-p90 <=`: an SLO whatever its version. */
export function sloName(verdict: Pick<SloVerdict, 'kind' | 'metric' | 'op'>): string {
  const kind = verdict.kind && verdict.kind !== 'absolute' ? `${verdict.kind} ` : '';
  return `${kind}${verdict.metric} ${verdict.op}`;
}
