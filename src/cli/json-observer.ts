import type { RunEvent, RunObserver } from '../engine/events.js';
import { countSloVerdicts } from './live-state.js';

/**
 * `--json`: one JSON object per line for each run event, so other tools can follow a run
 * (`canary run x.yaml --json | jq`). Keys are stable: absent values are null, not missing.
 */
export class JsonObserver implements RunObserver {
  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  onEvent(event: RunEvent): void {
    this.write(JSON.stringify(toJsonEvent(event, this.now())));
  }
}

/** The wire shape of an event (documented in the README, "Terminal"). */
export function toJsonEvent(event: RunEvent, now: Date): Record<string, unknown> {
  const at = now.toISOString();
  switch (event.type) {
    case 'experiment-start':
      return {
        event: event.type,
        name: event.plan.experiment.name,
        versions: event.plan.versions,
        schedule: event.plan.schedule ?? null,
        tasks: event.plan.tasks.map((t) => ({ id: t.id, task: t.task })),
        firstLoop: event.firstLoop,
        at,
      };
    case 'loop-start':
      return {
        event: event.type,
        loop: event.loop,
        retrospectiveAt: event.evaluationTime?.toISOString() ?? null,
        at: event.at.toISOString(),
      };
    case 'task-start':
      return {
        event: event.type,
        loop: event.loop,
        id: event.id,
        task: event.task,
        at: event.at.toISOString(),
      };
    case 'task-end': {
      const o = event.outcome;
      return {
        event: event.type,
        loop: event.loop,
        id: o.id,
        task: o.task,
        status: o.status,
        durationMs: o.durationMs ?? null,
        message: o.message ?? null,
        at: o.end ?? at,
      };
    }
    case 'task-log':
      return { event: event.type, loop: event.loop, id: event.id, message: event.message, at };
    case 'loop-end': {
      const r = event.record;
      return {
        event: event.type,
        loop: r.loop,
        status: r.status,
        durationMs: r.durationMs,
        slos: countSloVerdicts(r.slos),
        retrospectiveAt: r.retrospective?.at ?? null,
        at: r.end,
      };
    }
    case 'wait':
      return { event: event.type, loop: event.loop, until: event.until.toISOString(), at };
    case 'experiment-end':
      return { event: event.type, reason: event.reason, loops: event.loops, at };
  }
}
