import type { Experiment } from '../config/experiment.js';
import type { AssessInput } from '../tasks/assess/assess-input.js';
import { listSloRules } from '../tasks/assess/slo-rules.js';
import type { LoopRecord, TaskOutcome } from './records.js';

/** SLOs an experiment defines that one loop did not judge, and why. */
export interface UnjudgedSlos {
  /** SLOs the experiment defines, over every assess task (absolute, relative and comparisons). */
  defined: number;
  /**
   * Of them, those whose assess task failed or did not run in the loop; or was skipped (`if:`) in a
   * loop that judged no SLO at all.
   */
  unjudged: number;
  /** Per assess task that did not complete: `assess skipped: condition is false: loop > 1`. */
  reasons: string[];
}

/** Assess task id -> how many SLOs it defines (after --set values, which the experiment holds). */
export function definedSlosByTask(experiment: Pick<Experiment, 'spec'>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const task of experiment.spec.tasks) {
    if (task.task !== 'assess') continue;
    let count = 0;
    try {
      count = listSloRules((task.with ?? {}) as AssessInput).length;
    } catch {
      // A header written by another version with a shape this one does not read: count none.
    }
    if (count > 0) counts.set(task.id, count);
  }
  return counts;
}

/** What `loop` left unjudged of the SLOs `experiment` defines; undefined when it defines none. */
export function unjudgedSlos(
  experiment: Pick<Experiment, 'spec'>,
  loop: Pick<LoopRecord, 'tasks' | 'slos'>,
): UnjudgedSlos | undefined {
  const byTask = definedSlosByTask(experiment);
  if (byTask.size === 0) return undefined;
  const result: UnjudgedSlos = { defined: 0, unjudged: 0, reasons: [] };
  const judgedAny = loop.slos.length > 0;
  for (const [id, count] of byTask) {
    result.defined += count;
    const outcome = loop.tasks.find((task) => task.id === id);
    if (outcome?.status === 'completed') continue;
    // Assess tasks with exclusive `if:`s (one per metrics source, as in the demo) are alternatives:
    // a skipped one is left out while another judged; when none judged, it is why nothing was.
    if (outcome?.status === 'skipped' && judgedAny) continue;
    result.unjudged += count;
    result.reasons.push(describeNotJudged(id, outcome));
  }
  // Every assess task completed, yet no verdict: e.g. relative SLOs with the baseline as only version.
  if (loop.slos.length === 0 && result.unjudged < result.defined) {
    result.unjudged = result.defined;
    if (result.reasons.length === 0) result.reasons.push('no version was judged');
  }
  return result;
}

function describeNotJudged(id: string, outcome: TaskOutcome | undefined): string {
  if (!outcome) return `${id} did not run`;
  const verb = {
    completed: 'completed',
    skipped: 'skipped',
    failed: 'failed',
    error: 'could not run',
    'not-run': 'did not run',
    interrupted: 'was interrupted',
  }[outcome.status];
  return `${id} ${verb}${outcome.message ? `: ${outcome.message}` : ''}`;
}

/** `3 defined, none judged (assess skipped: ...)` or `2 of 5 defined not judged (...)`, for reports. */
export function describeUnjudgedSlos(slos: UnjudgedSlos): string {
  const count =
    slos.unjudged === slos.defined
      ? `${slos.defined} defined, none judged`
      : `${slos.unjudged} of ${slos.defined} defined not judged`;
  return `${count} (${slos.reasons.join('; ')})`;
}
