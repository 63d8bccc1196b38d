/**
 * How long a Job may run and how long it stays after. Under `concurrencyPolicy: Forbid`, one pod
 * that never ends would block every later tick, so every Job gets a deadline: the sum of its tasks'
 * longest runs (timeout × attempts; the ready timeout for a ready task without one; a default
 * allowance for a task with neither) plus a margin for scheduling, image pull and recording.
 */
import type { Experiment, TaskSpec } from '../config/experiment.js';
import { DEFAULT_READY_TIMEOUT } from '../tasks/ready/ready-input.js';
import { parseDuration } from '../util/duration.js';

export interface JobBounds {
  activeDeadlineSeconds: number;
  ttlSecondsAfterFinished: number;
}

/** A task with no timeout of its own is allowed this long. */
export const UNTIMED_TASK_ALLOWANCE_S = 600;
/** Pod scheduling, image pull, validation and writing the loop to the store. */
export const DEADLINE_MARGIN_S = 300;
/** A finished Job (and its pod's log) stays a day for `canary k log`, then the TTL controller removes it. */
export const FINISHED_JOB_TTL_S = 86_400;

export function deriveJobBounds(experiment: Experiment): JobBounds {
  const tasks = experiment.spec.tasks.reduce((sum, task) => sum + longestRunSeconds(task), 0);
  return { activeDeadlineSeconds: tasks + DEADLINE_MARGIN_S, ttlSecondsAfterFinished: FINISHED_JOB_TTL_S };
}

function longestRunSeconds(task: TaskSpec): number {
  const attempts = (task.retries ?? 0) + 1;
  const own = secondsOf(task.timeout);
  if (own !== undefined) return own * attempts;
  if (task.task === 'ready') {
    const ready = task.with['timeout'];
    return (secondsOf(typeof ready === 'string' ? ready : DEFAULT_READY_TIMEOUT) ?? 0) * attempts;
  }
  return UNTIMED_TASK_ALLOWANCE_S * attempts;
}

function secondsOf(duration: string | undefined): number | undefined {
  if (duration === undefined) return undefined;
  try {
    return Math.ceil(parseDuration(duration) / 1000);
  } catch {
    return undefined; // validation has reported it
  }
}
