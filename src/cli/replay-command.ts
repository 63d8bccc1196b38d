import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, errorMessage } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { prepareExperiment, type ValueFlagValues } from './prepare-experiment.js';
import { hashExperiment, readResults } from '../results/result-file.js';
import { isInvalid } from '../results/marks.js';
import { limitSummary } from '../report/github-summary.js';
import { replayLoops } from '../replay/replay-loops.js';
import { buildReplayReport } from '../replay/replay-report.js';
import { renderReplay, type ReplayOutputFormat } from '../replay/render-replay.js';
import type { Output } from './run-experiment-command.js';

export interface ReplayFlags extends ValueFlagValues {
  /** The result file whose recorded metrics are judged again. */
  replay: string;
  /** all (default), latest, or loop numbers such as `3,5`. */
  'replay-loops'?: string;
  output?: string;
  json?: boolean;
  assert: boolean;
  'github-summary'?: boolean;
}

/**
 * `canary run FILE --replay RESULTS`: the experiment's assess tasks judge the metrics recorded in
 * RESULTS again, loop by loop; prints what changed and returns the assertion code of the latest
 * reported loop. Reads only: nothing is queried and nothing is written to the result file.
 */
export async function replayFromCli(
  file: string | undefined,
  flags: ReplayFlags,
  output: Output,
): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const format = outputFormat(flags);
  const ready = await prepareExperiment(file, flags, cwd, output.warn);
  const resultsPath = path.resolve(cwd, flags.replay);
  const history = await readResults(resultsPath);
  for (const warning of history.warnings) output.warn(`canary: ${flags.replay}: ${warning}`);
  const name = ready.experiment.metadata.name;
  const recordedName = history.header?.experiment?.metadata?.name;
  if (recordedName === undefined) {
    throw new UsageError(`${flags.replay} has no header record: cannot tell which experiment recorded it`, [
      'replay a result file that `canary run` wrote',
    ]);
  }
  if (recordedName !== name) {
    throw new UsageError(
      `${flags.replay} holds results of experiment ${JSON.stringify(recordedName)}, not ${JSON.stringify(name)}`,
      [
        `replay it with the experiment named ${JSON.stringify(recordedName)}, or point --replay at this experiment's results`,
      ],
    );
  }
  const valid = history.loops.filter((loop) => !isInvalid(history, loop.loop)).map((loop) => loop.loop);
  if (valid.length === 0) {
    throw new UsageError(`${flags.replay} holds no loop to replay`, [
      'record one first: canary run FILE --results RESULTS',
    ]);
  }
  const selected = selectLoops(flags['replay-loops'], valid);
  const replayed = await replayLoops({
    plan: ready.plan,
    registry: ready.registry,
    experimentHash: hashExperiment(ready.experiment),
    experimentDir: ready.experimentDir,
    values: ready.values,
    env: process.env,
    history: { ...history, loops: history.loops.filter((loop) => loop.loop <= Math.max(...selected)) },
  });
  const report = buildReplayReport({
    results: flags.replay,
    experiment: { name, ...(file !== undefined ? { source: file } : {}) },
    replayed,
    report: selected,
    invalid: history.loops.filter((loop) => isInvalid(history, loop.loop)).map((loop) => loop.loop),
  });
  output.log(renderReplay(report, format));
  if (flags['github-summary'] !== false) await appendSummary(renderReplay(report, 'markdown'), output.warn);
  if (flags.assert) return report.assertions.exitCode;
  return report.assertions.exitCode === ExitCode.executionError ? ExitCode.executionError : ExitCode.ok;
}

function outputFormat(flags: ReplayFlags): ReplayOutputFormat {
  if (flags.json && flags.output !== undefined && flags.output !== 'json')
    throw new UsageError(`--json and -o ${flags.output} ask for two formats`, ['give one of them']);
  const format = flags.json ? 'json' : (flags.output ?? 'text');
  if (format !== 'text' && format !== 'json' && format !== 'markdown')
    throw new UsageError(`-o ${format}: a replay prints text, json or markdown`);
  return format;
}

/** `all`, `latest`, or loop numbers (`3,5`): which replayed loops to report; each must be in the file. */
export function selectLoops(spec: string | undefined, valid: readonly number[]): Set<number> {
  const text = (spec ?? 'all').trim();
  if (text === 'all') return new Set(valid);
  if (text === 'latest') return new Set([valid.at(-1)!]);
  const numbers = text.split(',').map((part) => part.trim());
  const known = `loops in the file: ${describeRange(valid)}`;
  const selected = new Set<number>();
  for (const part of numbers) {
    if (!/^[0-9]+$/.test(part))
      throw new UsageError(
        `--replay-loops ${JSON.stringify(text)}: write all, latest, or loop numbers such as 3,5`,
      );
    const loop = Number(part);
    if (!valid.includes(loop))
      throw new UsageError(`--replay-loops: no valid loop ${loop} to replay`, [known]);
    selected.add(loop);
  }
  return selected;
}

function describeRange(loops: readonly number[]): string {
  return loops.length > 8 ? `${loops.slice(0, 3).join(', ')}, ..., ${loops.at(-1)}` : loops.join(', ');
}

/** In GitHub Actions, the markdown replay goes to the job summary too; failing to write it only warns. */
async function appendSummary(markdown: string, warn: (line: string) => void): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY?.trim();
  if (!file) return;
  try {
    await appendFile(file, `${limitSummary(markdown)}\n`, 'utf8');
    warn(`summary appended to ${file}`);
  } catch (error) {
    warn(`canary: could not write the GitHub job summary: ${errorMessage(error)}`);
  }
}
