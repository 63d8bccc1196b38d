/**
 * A rollout acts on the SLO verdicts of its loop, so it must run after an
 * assess task: through `needs`, directly or not (by default each task needs the
 * one before it). Without that it would run with no verdicts and only ever hold.
 */
import type { Experiment } from './experiment.js';
import type { Diagnostic, PathSegment } from './diagnostics.js';

type At = (path: PathSegment[], message: string, extra?: Partial<Diagnostic>) => Diagnostic;

export function checkRolloutOrder(experiment: Experiment, at: At): Diagnostic[] {
  const tasks = experiment.spec.tasks;
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const assessIds = tasks.filter((t) => t.task === 'assess').map((t) => t.id);
  const diagnostics: Diagnostic[] = [];
  tasks.forEach((task, i) => {
    if (task.task !== 'rollout') return;
    if (dependsOnAssess(task.id, byId)) return;
    diagnostics.push(
      at(['spec', 'tasks', i], 'the rollout task acts on SLO verdicts, but no assess task runs before it', {
        hint:
          assessIds.length > 0
            ? `add needs: [${assessIds.join(', ')}] to the rollout task`
            : 'add an assess task with the SLOs that gate the rollout, and put the rollout after it',
      }),
    );
  });
  return diagnostics;
}

function dependsOnAssess(
  id: string,
  byId: ReadonlyMap<string, Experiment['spec']['tasks'][number]>,
): boolean {
  const seen = new Set<string>();
  const pending = [...(byId.get(id)?.needs ?? [])];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    const task = byId.get(next);
    if (!task) continue;
    if (task.task === 'assess') return true;
    pending.push(...task.needs);
  }
  return false;
}
