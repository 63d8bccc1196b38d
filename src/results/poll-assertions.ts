import { setTimeout as sleep } from 'node:timers/promises';
import type { LoopRecord } from './records.js';
import { MissingResultsError, readResults } from './result-file.js';
import {
  assertConditions,
  experimentState,
  type AssertionOutcome,
  type AssertionRequest,
} from './assertions.js';

/**
 * Check the conditions; with a timeout, poll until they hold, until the run has ended (nothing more
 * will change), or until time runs out. A result file that does not exist yet is waited for.
 */
export async function pollAssertions(
  file: string,
  request: AssertionRequest,
  timeoutMs: number,
  intervalMs = 1000,
): Promise<AssertionOutcome & { warnings: string[]; latest?: LoopRecord }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let outcome: (AssertionOutcome & { warnings: string[]; latest?: LoopRecord }) | undefined;
    let finished = false;
    try {
      const history = await readResults(file);
      const state = experimentState(history);
      outcome = {
        ...assertConditions(state, request),
        warnings: history.warnings,
        ...(state.latest ? { latest: state.latest } : {}),
      };
      finished = state.finished;
    } catch (error) {
      if (!(error instanceof MissingResultsError) || Date.now() >= deadline) throw error;
    }
    if (outcome && (outcome.exitCode === 0 || finished || Date.now() >= deadline)) return outcome;
    await sleep(Math.max(0, Math.min(intervalMs, deadline - Date.now())));
  }
}
