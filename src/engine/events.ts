import type { Plan } from '../plan/plan.js';
import type { EndRecord, LoopRecord, TaskOutcome } from '../results/records.js';

/** What a run reports while it goes; console output, the result writer and tests all observe these. */
export type RunEvent =
  | { type: 'experiment-start'; plan: Plan; firstLoop: number }
  /** `evaluationTime`: set in a retrospective loop, the past time it evaluates. */
  | { type: 'loop-start'; loop: number; at: Date; evaluationTime?: Date }
  | { type: 'task-start'; loop: number; id: string; task: string; at: Date }
  | { type: 'task-end'; loop: number; outcome: TaskOutcome }
  | { type: 'task-log'; loop: number; id: string; message: string }
  | { type: 'loop-end'; record: LoopRecord }
  | { type: 'wait'; loop: number; until: Date }
  | { type: 'experiment-end'; reason: EndRecord['reason']; loops: number };

export interface RunObserver {
  /** Awaited: a loop is not over until every observer has handled its `loop-end` (e.g. written it). */
  onEvent(event: RunEvent): void | Promise<void>;
}

export async function emit(observers: readonly RunObserver[], event: RunEvent): Promise<void> {
  for (const observer of observers) await observer.onEvent(event);
}
