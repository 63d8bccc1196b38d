import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { LoopRecord } from './records.js';
import { countGates, type GateCounts } from './verdict-counts.js';
import type { ResultHistory } from './result-file.js';
import type { Experiment } from '../config/experiment.js';
import { unjudgedSlos, type UnjudgedSlos } from './defined-slos.js';
import { showControlCharacters } from '../util/show-control-characters.js';

export interface AssertionRequest {
  completed: boolean;
  nofailure: boolean;
  slos: boolean;
}

/** The state of an experiment, judged on its latest loop. */
export interface ExperimentState {
  loops: number;
  latest?: LoopRecord;
  /** The latest loop ran every task (completed or skipped). */
  completed: boolean;
  /** The latest loop had a task that failed or could not run. */
  failure: boolean;
  /** A task of the latest loop could not run (exit 4 rather than 1). */
  executionError: boolean;
  interrupted: boolean;
  /** `canary run` has ended: nothing more will be appended (until the next run). */
  finished: boolean;
  /** Verdicts of the latest loop by their effect on the exit code (after onNoData, mode, failAfter). */
  slos: GateCounts;
  /** The SLOs the experiment defines and those the latest loop left unjudged (absent: it defines none). */
  unjudged?: UnjudgedSlos;
}

/**
 * `experiment` is the one the latest loop ran; by default the history's header, when the latest loop
 * belongs to it. Without either, SLOs the loop did not judge cannot be told apart from none defined.
 */
export function experimentState(
  history: ResultHistory,
  experiment?: Pick<Experiment, 'spec'>,
): ExperimentState {
  const latest = history.loops.at(-1);
  const ran =
    experiment ??
    (history.header && latest?.experimentHash === history.header.experimentHash
      ? history.header.experiment
      : undefined);
  const unjudged = ran && latest ? unjudgedSlos(ran, latest) : undefined;
  return {
    ...(unjudged ? { unjudged } : {}),
    loops: history.loops.length,
    ...(latest ? { latest } : {}),
    completed:
      latest !== undefined && latest.tasks.every((t) => t.status === 'completed' || t.status === 'skipped'),
    failure: latest !== undefined && latest.status !== 'completed',
    executionError: latest?.status === 'error',
    interrupted: latest?.status === 'interrupted',
    finished: history.end !== undefined,
    slos: countGates(latest?.slos ?? []),
  };
}

export interface AssertionOutcome {
  exitCode: ExitCodeValue;
  /** One line per condition checked, saying whether it holds and why not. */
  lines: Array<{ ok: boolean | 'inconclusive'; text: string }>;
}

/** `✔ slos: all 6 satisfied`, `✘ ...`, `? ...` (inconclusive). */
export function formatAssertionLine(line: AssertionOutcome['lines'][number]): string {
  return `${line.ok === true ? '✔' : line.ok === false ? '✘' : '?'} ${showControlCharacters(line.text)}`;
}

/**
 * Exit code for the asked conditions. Precedence: an execution error (4) over a failed assertion (1)
 * over missing data (5): the first says the data cannot be trusted, the last that it is incomplete.
 */
export function assertConditions(state: ExperimentState, request: AssertionRequest): AssertionOutcome {
  const lines: AssertionOutcome['lines'] = [];
  let failed = false;
  let inconclusive = false;
  if (request.completed) {
    const ok = state.completed;
    lines.push({
      ok,
      text: ok
        ? `completed: loop ${state.latest!.loop} ran every task`
        : state.latest
          ? `completed: loop ${state.latest.loop} did not run every task (${state.latest.status})`
          : 'completed: no loop has run yet',
    });
    failed ||= !ok;
  }
  if (request.nofailure) {
    const ok = state.latest !== undefined && !state.failure;
    const culprit = state.latest?.tasks.find(
      (t) => t.status === 'failed' || t.status === 'error' || t.status === 'interrupted',
    );
    lines.push({
      ok,
      text: ok
        ? 'nofailure: no task failed'
        : culprit
          ? `nofailure: task ${culprit.id} ${culprit.status === 'error' ? 'could not run' : culprit.status}${culprit.message ? `: ${culprit.message}` : ''}`
          : 'nofailure: no loop has run yet',
    });
    failed ||= !ok;
  }
  if (request.slos) {
    const { total, pass, fail, inconclusive: unsure, warn, observe } = state.slos;
    const aside = [
      warn ? `${warn} warning${warn === 1 ? '' : 's'}` : '',
      observe ? `${observe} observed` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const also = aside ? ` (${aside})` : '';
    const defined = state.unjudged;
    const missing = defined && defined.unjudged > 0 ? defined : undefined;
    const why = (u: UnjudgedSlos) => ` (${u.reasons.join('; ')})`;
    if (!state.latest) {
      lines.push({ ok: false, text: 'slos: no loop has run yet' });
      failed = true;
    } else if (fail > 0) {
      const notJudged = missing
        ? `, ${missing.unjudged} of ${missing.defined} defined not judged${why(missing)}`
        : '';
      lines.push({
        ok: false,
        text: `slos: ${fail} of ${total} violated${unsure ? `, ${unsure} inconclusive` : ''}${notJudged}${also}`,
      });
      failed = true;
    } else if (missing && missing.unjudged === missing.defined) {
      // Defined but never judged (assess failed, did not run, or its `if:` skipped it): not a pass.
      lines.push({
        ok: false,
        text: `slos: ${missing.defined} defined, none judged in loop ${state.latest.loop}${why(missing)}`,
      });
      inconclusive = true;
    } else if (missing) {
      lines.push({
        ok: false,
        text: `slos: ${missing.unjudged} of ${missing.defined} defined not judged in loop ${state.latest.loop}${why(missing)}${unsure ? `; ${unsure} of ${total} judged inconclusive` : ''}${also}`,
      });
      inconclusive = true;
    } else if (unsure > 0) {
      lines.push({
        ok: 'inconclusive',
        text: `slos: ${unsure} of ${total} inconclusive (no data, too few samples or no decision), none violated${also}`,
      });
      inconclusive = true;
    } else {
      lines.push({
        ok: true,
        text: total === 0 ? 'slos: none defined' : `slos: all ${pass} satisfied${also}`,
      });
    }
  }
  // A task that could not run explains any condition that does not hold: exit 4, not 1 or 5.
  const executionError = (failed || inconclusive) && state.executionError;
  const exitCode = executionError
    ? ExitCode.executionError
    : failed
      ? ExitCode.assertionFailed
      : inconclusive
        ? ExitCode.inconclusive
        : ExitCode.ok;
  return { exitCode, lines };
}
