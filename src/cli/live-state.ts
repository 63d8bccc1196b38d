import type { RunEvent } from '../engine/events.js';
import type { EndRecord, LoopStatus, SloStatus, SloVerdict, TaskStatus } from '../results/records.js';

/** What the live view knows about a run, folded from its events. Times are epoch milliseconds. */
export interface LiveState {
  experiment: string;
  schedule?: string;
  /** The loop in progress, or the last one while waiting for the next tick. */
  loop?: number;
  loopStartedAt?: number;
  /** True between a loop's start and its end. */
  inLoop: boolean;
  tasks: LiveTask[];
  lastLoop?: LoopSummary;
  nextLoop?: { loop: number; at: number };
  end?: { reason: EndRecord['reason']; loops: number };
}

export type LiveTaskState = 'pending' | 'running' | TaskStatus;

export interface LiveTask {
  id: string;
  task: string;
  state: LiveTaskState;
  startedAt?: number;
  durationMs?: number;
  message?: string;
}

export interface LoopSummary {
  loop: number;
  status: LoopStatus;
  durationMs: number;
  slos: SloCounts;
}

export type SloCounts = { pass: number; fail: number; nodata: number } & Partial<Record<SloStatus, number>>;

export function initialLiveState(): LiveState {
  return { experiment: '', inLoop: false, tasks: [] };
}

export function countSloVerdicts(slos: readonly SloVerdict[]): SloCounts {
  const counts: SloCounts = { pass: 0, fail: 0, nodata: 0 };
  for (const slo of slos) counts[slo.status] = (counts[slo.status] ?? 0) + 1;
  return counts;
}

/** Pure: the state after one more event (the view redraws from it; tests replay sequences). */
export function applyEvent(state: LiveState, event: RunEvent): LiveState {
  switch (event.type) {
    case 'experiment-start':
      return {
        ...initialLiveState(),
        experiment: event.plan.experiment.name,
        ...(event.plan.schedule !== undefined ? { schedule: event.plan.schedule } : {}),
        tasks: event.plan.tasks.map((t) => ({ id: t.id, task: t.task, state: 'pending' })),
      };
    case 'loop-start': {
      // A new loop starts every task afresh; the previous loop's outcome lives on in lastLoop.
      return {
        ...withoutNextLoop(state),
        loop: event.loop,
        loopStartedAt: event.at.getTime(),
        inLoop: true,
        tasks: state.tasks.map((t) => ({ id: t.id, task: t.task, state: 'pending' })),
      };
    }
    case 'task-start':
      return updateTask(state, event.id, event.task, (t) => ({
        id: t.id,
        task: t.task,
        state: 'running',
        startedAt: event.at.getTime(),
      }));
    case 'task-end': {
      const o = event.outcome;
      return updateTask(state, o.id, o.task, (t) => ({
        id: t.id,
        task: t.task,
        state: o.status,
        ...(t.startedAt !== undefined ? { startedAt: t.startedAt } : {}),
        ...(o.durationMs !== undefined ? { durationMs: o.durationMs } : {}),
        ...(o.message !== undefined ? { message: o.message } : {}),
      }));
    }
    case 'loop-end': {
      const r = event.record;
      return {
        ...state,
        inLoop: false,
        lastLoop: {
          loop: r.loop,
          status: r.status,
          durationMs: r.durationMs,
          slos: countSloVerdicts(r.slos),
        },
      };
    }
    case 'wait':
      return { ...state, nextLoop: { loop: event.loop, at: event.until.getTime() } };
    case 'experiment-end':
      return { ...withoutNextLoop(state), inLoop: false, end: { reason: event.reason, loops: event.loops } };
    default:
      return state;
  }
}

function withoutNextLoop(state: LiveState): LiveState {
  const copy = { ...state };
  delete copy.nextLoop;
  return copy;
}

function updateTask(
  state: LiveState,
  id: string,
  task: string,
  change: (current: LiveTask) => LiveTask,
): LiveState {
  const known = state.tasks.some((t) => t.id === id);
  // A task the plan did not list (should not happen) still shows, at the end.
  const tasks = known ? state.tasks : [...state.tasks, { id, task, state: 'pending' as const }];
  return { ...state, tasks: tasks.map((t) => (t.id === id ? change(t) : t)) };
}
