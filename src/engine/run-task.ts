import pRetry, { AbortError } from 'p-retry';
import { TaskError, errorMessage } from '../errors.js';
import { formatDuration } from '../util/duration.js';
import type { PlannedTask } from '../plan/plan.js';
import type { TaskContext, TaskDefinition, TaskRunResult } from '../tasks/task-definition.js';

/**
 * Run one task with its timeout and retries. Retries apply to execution errors only: a task that
 * judged its outcome bad (`failure`) would judge it bad again.
 */
export async function runTaskWithPolicy(
  definition: TaskDefinition<never>,
  task: PlannedTask,
  context: Omit<TaskContext, 'signal'>,
  loopSignal: AbortSignal,
  onAttempt: (attempt: number) => void,
): Promise<TaskRunResult | void> {
  return pRetry(
    async (attempt) => {
      onAttempt(attempt);
      try {
        return await runOnce(definition, task, context, loopSignal);
      } catch (error) {
        if (loopSignal.aborted) throw new AbortError(new TaskError('interrupted', 'error'));
        if (error instanceof TaskError && error.kind === 'failure') throw new AbortError(error);
        throw error instanceof TaskError
          ? error
          : new TaskError(errorMessage(error), 'error', { cause: error });
      }
    },
    {
      retries: task.retries,
      minTimeout: 200,
      maxTimeout: 5_000,
      factor: 2,
      randomize: true,
      signal: loopSignal,
    },
  );
}

async function runOnce(
  definition: TaskDefinition<never>,
  task: PlannedTask,
  context: Omit<TaskContext, 'signal'>,
  loopSignal: AbortSignal,
): Promise<TaskRunResult | void> {
  const timeoutSignal = task.timeoutMs !== undefined ? AbortSignal.timeout(task.timeoutMs) : undefined;
  const signal = timeoutSignal ? AbortSignal.any([loopSignal, timeoutSignal]) : loopSignal;
  // A task that ignores its signal must still not hold the loop past its timeout.
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () =>
      reject(
        timeoutSignal?.aborted
          ? new TaskError(`timed out after ${formatDuration(task.timeoutMs ?? 0)}`, 'error')
          : new TaskError('interrupted', 'error'),
      );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([definition.run(task.with as never, { ...context, signal }), aborted]);
  } catch (error) {
    if (timeoutSignal?.aborted && !loopSignal.aborted) {
      throw new TaskError(`timed out after ${formatDuration(task.timeoutMs ?? 0)}`, 'error', {
        cause: error,
      });
    }
    throw error;
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
