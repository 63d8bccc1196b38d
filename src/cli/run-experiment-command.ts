import path from 'node:path';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { UsageError } from '../errors.js';
import { prepareExperiment, type ValueFlagValues, type ReadyExperiment } from './prepare-experiment.js';
import { defaultResultsPath, hashExperiment, readResults, ResultWriter } from '../results/result-file.js';
import { runExperiment } from '../engine/run-experiment.js';
import { ConsoleObserver } from './console-observer.js';
import { JsonObserver } from './json-observer.js';
import { LiveView, shouldShowLiveView } from './live-view.js';
import { ResultObserver } from './result-observer.js';
import { assertConditions, experimentState, formatAssertionLine } from '../results/assertions.js';
import { listUnsettledSlos } from '../results/explain-verdict.js';
import { redactUrlUserinfoDeep } from '../util/url-secrets.js';
import type { RunObserver } from '../engine/events.js';
import { writeGitHubSummary } from './write-github-summary.js';
import { DirectoryFixtureRecorder } from '../metrics/fixtures/fixture-recorder.js';
import { pinnedLoop } from '../results/marks.js';
import { RetentionObserver } from './retention-observer.js';
import { evaluationTimesFromFlags } from './retrospective-window.js';
import { usesPinnedBaseline } from '../tasks/assess/slo-rules.js';
import { formatRfc3339 } from '../util/rfc3339.js';

export interface RunFlags extends ValueFlagValues {
  results?: string;
  fresh: boolean;
  loops?: number;
  /** Loops kept in full in the result file (default spec.retention.keep; none: keep all). */
  keep?: number;
  at?: string;
  from?: string;
  to?: string;
  step?: string;
  'dry-run': boolean;
  /** Tasks that change the cluster (rollout) decide and record, but patch nothing. */
  'no-act'?: boolean;
  assert: boolean;
  quiet: boolean;
  /** Events as JSON lines on stdout (through Output.log) instead of progress on stderr. */
  json?: boolean;
  'github-summary'?: boolean;
  /** Directory where each metrics provider's backend answers are recorded (the last loop's). */
  'record-fixtures'?: string;
  /** A result file whose recorded metrics the assess tasks judge again (nothing runs, nothing is written). */
  replay?: string;
  'replay-loops'?: string;
  /** Replay output: text, json or markdown. */
  output?: string;
}

export interface Output {
  log(line: string): void;
  warn(line: string): void;
  /** Where run events go as JSON lines, for callers whose flags runPrepared does not see (demo --json). */
  json?: (line: string) => void;
}

/** `canary run`: validate, run loops with signals handled, record, and judge. Returns the exit code. */
export async function runFromCli(
  file: string | undefined,
  flags: RunFlags,
  output: Output,
): Promise<ExitCodeValue> {
  checkReplayFlags(flags);
  if (flags.replay !== undefined) {
    const { replayFromCli } = await import('./replay-command.js');
    return replayFromCli(file, { ...flags, replay: flags.replay }, output);
  }
  const cwd = process.cwd();
  // Flag mistakes first: they need no experiment to be found.
  const evaluationTimes = evaluationTimesFromFlags(flags, new Date());
  const ready = await prepareExperiment(file, flags, cwd, output.warn);
  if (flags['dry-run']) {
    output.log(
      JSON.stringify(
        // Values may hold a URL with a password (--set prometheusURL=http://user:pass@host/...).
        redactUrlUserinfoDeep({
          ...ready.plan,
          ...(evaluationTimes ? { retrospective: describeWindow(ready, evaluationTimes) } : {}),
          previews: await previewTasks(ready, evaluationTimes),
        }),
        null,
        2,
      ),
    );
    return ExitCode.ok;
  }
  return runPrepared(
    ready,
    { ...flags, source: file, ...(evaluationTimes ? { evaluationTimes } : {}) },
    output,
  );
}

/** What a retrospective run would do, for --dry-run. */
function describeWindow(ready: ReadyExperiment, times: readonly Date[]) {
  return {
    loops: times.length,
    first: formatRfc3339(times[0]!),
    last: formatRfc3339(times[times.length - 1]!),
    skippedTasks: ready.plan.tasks
      .filter((t) => ready.registry.get(t.task)?.supportsRetrospective !== true)
      .map((t) => t.id),
  };
}

/** --replay reads a recording and runs nothing: the flags that shape a real run do not apply. */
function checkReplayFlags(flags: RunFlags): void {
  if (flags.replay === undefined) {
    for (const flag of ['replay-loops', 'output'] as const)
      if (flags[flag] !== undefined)
        throw new UsageError(`--${flag} applies to --replay only`, [
          'add --replay RESULTS, or drop --' + flag,
        ]);
    return;
  }
  const runOnly = [
    flags['dry-run'] ? '--dry-run' : '',
    flags['no-act'] ? '--no-act' : '',
    flags.fresh ? '--fresh' : '',
    flags.loops !== undefined ? '--loops' : '',
    flags.keep !== undefined ? '--keep' : '',
    flags.results !== undefined ? '--results' : '',
    flags['record-fixtures'] !== undefined ? '--record-fixtures' : '',
  ].filter(Boolean);
  if (runOnly.length > 0) {
    throw new UsageError(
      `--replay runs nothing and writes nothing: ${runOnly.join(', ')} cannot go with it`,
      [
        `drop ${runOnly.join(', ')}; --replay-loops chooses the loops to report, -o json prints the replayed verdicts`,
      ],
    );
  }
}

/** What each task would do (rendered queries per version...), for --dry-run; secrets never resolved. */
async function previewTasks(
  ready: ReadyExperiment,
  evaluationTimes: readonly Date[] | undefined,
): Promise<Record<string, unknown>> {
  const previews: Record<string, unknown> = {};
  for (const task of ready.plan.tasks) {
    const definition = ready.registry.get(task.task);
    if (!definition?.preview) continue;
    // A retrospective run skips the tasks that act on the present: so does its preview.
    if (evaluationTimes && definition.supportsRetrospective !== true) continue;
    previews[task.id] = await definition.preview(task.with as never, {
      ...(evaluationTimes ? { evaluationTimes } : {}),
      experimentDir: ready.experimentDir,
      env: process.env,
      versions: ready.plan.versions,
    });
  }
  return previews;
}

type PreparedRunFlags = Pick<
  RunFlags,
  | 'results'
  | 'fresh'
  | 'loops'
  | 'keep'
  | 'assert'
  | 'quiet'
  | 'json'
  | 'github-summary'
  | 'record-fixtures'
  | 'no-act'
> & {
  source?: string;
  /** A retrospective run: one loop per past time (from --at or --from/--to/--step). */
  evaluationTimes?: readonly Date[];
};

export async function runPrepared(
  ready: ReadyExperiment,
  flags: PreparedRunFlags,
  output: Output,
  extraObservers: RunObserver[] = [],
): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const resultsPath = flags.results
    ? path.resolve(cwd, flags.results)
    : defaultResultsPath(cwd, ready.experiment.metadata.name);
  // Locks the file for this run: a second run on it exits 6 (busy) naming this one's pid.
  const writer = await ResultWriter.open(resultsPath, { fresh: flags.fresh });
  try {
    return await runWithWriter(ready, flags, output, extraObservers, writer, resultsPath);
  } finally {
    await writer.close();
  }
}

async function runWithWriter(
  ready: ReadyExperiment,
  flags: PreparedRunFlags,
  output: Output,
  extraObservers: RunObserver[],
  writer: ResultWriter,
  resultsPath: string,
): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  for (const warning of writer.warnings) output.warn(`canary: ${warning}`);
  const hash = hashExperiment(ready.experiment);
  // The previous loop of the same experiment carries failAfter streaks and the comparisons' look count;
  // the writer saw it while checking the file. Only pinned baselines need the whole history read again
  // (the pin may name a loop of an earlier version of the experiment).
  const previousLoop = writer.previousLoop(hash);
  const earlier =
    writer.lastLoop > 0 && usesPinnedBaseline(ready.experiment) ? await readResults(resultsPath) : undefined;
  const recorder = new ResultObserver(writer, ready.experiment, hash, flags.source);
  const json = output.json ?? (flags.json ? output.log : undefined);
  const live =
    !json && !flags.quiet && shouldShowLiveView(process.stderr, process.env)
      ? new LiveView(process.stderr)
      : undefined;
  const progress: RunObserver[] = json
    ? [new JsonObserver(json)]
    : live
      ? [live]
      : flags.quiet
        ? []
        : [new ConsoleObserver(output.warn)];
  // While the live view draws, other stderr lines go above it, not through it.
  const warn = live ? (line: string) => live.print(line) : output.warn;
  const retrospective = flags.evaluationTimes;
  if (retrospective) {
    const first = formatRfc3339(retrospective[0]!);
    const last = formatRfc3339(retrospective[retrospective.length - 1]!);
    warn(
      `canary: retrospective run: ${retrospective.length} loop${retrospective.length === 1 ? '' : 's'} evaluating ${first}${retrospective.length > 1 ? ` to ${last}` : ''}`,
    );
    if (ready.plan.schedule)
      warn(`canary: spec.schedule "${ready.plan.schedule}" is not used by a retrospective run`);
  }
  const keep = flags.keep ?? ready.experiment.spec.retention?.keep;
  const retention = keep !== undefined ? [new RetentionObserver(resultsPath, keep, warn, writer)] : [];
  const observers: RunObserver[] = [...progress, recorder, ...retention, ...extraObservers];

  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) process.exit(signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated); // second signal: now
    received = signal;
    recorder.setEndReason(signal === 'SIGINT' ? 'interrupted' : 'terminated');
    warn(`canary: ${signal} received: finishing the current loop's record (again to quit at once)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await runExperiment({
      plan: ready.plan,
      registry: ready.registry,
      experimentHash: hash,
      experimentDir: ready.experimentDir,
      values: ready.values,
      firstLoop: writer.lastLoop + 1,
      env: process.env,
      // A retrospective run starts at its first evaluation time, whatever live loops the file holds.
      ...(!retrospective && !writer.needsHeader(hash) && writer.experimentStart
        ? { experimentStart: new Date(writer.experimentStart) }
        : {}),
      ...(flags.loops !== undefined ? { loops: flags.loops } : {}),
      ...(previousLoop ? { previousLoop } : {}),
      // A result file is where pins live: a run writing one can look them up, even before it has any.
      pinnedLoop: (name: string) => (earlier ? pinnedLoop(earlier, name) : undefined),
      ...(retrospective ? { evaluationTimes: retrospective } : {}),
      ...(flags['no-act'] ? { noAct: true } : {}),
      signal: controller.signal,
      observers,
      ...(flags['record-fixtures'] !== undefined
        ? { fixtureRecorder: new DirectoryFixtureRecorder(path.resolve(cwd, flags['record-fixtures'])) }
        : {}),
    });
  } finally {
    live?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  output.warn(`results: ${path.relative(cwd, resultsPath) || resultsPath}`);
  if (flags['github-summary'] !== false) await writeGitHubSummary(resultsPath, output.warn);
  if (received) return received === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated;

  const state = experimentState(
    {
      file: resultsPath,
      loops: recorder.loops,
      ...(recorder.end ? { end: recorder.end } : {}),
      warnings: [],
    },
    ready.experiment,
  );
  const outcome = assertConditions(state, { completed: true, nofailure: true, slos: true });
  for (const line of outcome.lines) output.warn(formatAssertionLine(line));
  if (state.latest) for (const line of listUnsettledSlos(state.latest)) output.warn(line);
  if (!flags.assert) return state.executionError ? ExitCode.executionError : ExitCode.ok;
  return outcome.exitCode;
}
