import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { TaskError } from '../../src/errors.js';
import { MetricBoard } from '../../src/metrics/metric-board.js';
import { runTask } from '../../src/tasks/run/run.js';
import type { TaskContext } from '../../src/tasks/task-definition.js';
import { isRunning, untilStopped, within, withTempDir } from '../engine/helpers.js';

function context(dir: string, signal = new AbortController().signal): TaskContext {
  return {
    taskId: 'run',
    loop: 1,
    iteration: 1,
    experiment: { name: 't' },
    versions: [],
    experimentDir: dir,
    experimentStart: new Date(),
    env: {},
    workDir: dir,
    signal,
    metrics: new MetricBoard(),
    slos: [],
    log: () => {},
  };
}

describe('runTask', () => {
  it('keeps only the tail of a long output', async () => {
    await withTempDir(async (dir) => {
      const result = await runTask.run(
        {
          script:
            'i=0; while [ $i -lt 3000 ]; do echo "line $i ................"; i=$((i+1)); done; echo the-end',
        },
        context(dir),
      );
      expect(result).toBeDefined();
      const output = result!.output!;
      expect(output.length).toBeLessThanOrEqual(16 * 1024);
      expect(output.endsWith('line 2999 ................\nthe-end\n')).toBe(true);
    });
  });

  it('keeps stderr in the output too', async () => {
    await withTempDir(async (dir) => {
      const result = await runTask.run({ script: 'echo to-stderr >&2' }, context(dir));
      expect(result?.output).toBe('to-stderr\n');
    });
  });

  it('fails when the script is killed by a signal', async () => {
    await withTempDir(async (dir) => {
      const error = await runTask.run({ script: 'kill -KILL $$' }, context(dir)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskError);
      expect(error).toMatchObject({ kind: 'failure', message: 'script was killed by SIGKILL' });
    });
  });

  it('is an execution error when interrupted', async () => {
    await withTempDir(async (dir) => {
      const controller = new AbortController();
      const pending = runTask.run({ script: 'sleep 30' }, context(dir, controller.signal));
      setTimeout(() => controller.abort(), 50);
      const error = await pending.catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'error', message: 'interrupted' });
    });
  });

  it('is an execution error when the experiment directory does not exist', async () => {
    await withTempDir(async (dir) => {
      const error = await runTask.run({ script: 'true' }, context(`${dir}/missing`)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskError);
      expect(error).toMatchObject({ kind: 'error' });
      expect((error as Error).message).toMatch(/^could not start \/bin\/sh: /);
    });
  });

  it('stops the processes the script started, not only the shell, when interrupted', async () => {
    await withTempDir(async (dir) => {
      const controller = new AbortController();
      const pending = runTask.run(
        { script: 'sleep 30 & echo $! > child.pid; wait' },
        context(dir, controller.signal),
      );
      let pid = 0;
      while (!pid) {
        pid = Number(await readFile(`${dir}/child.pid`, 'utf8').catch(() => '0')) || 0;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(isRunning(pid)).toBe(true);
      controller.abort();
      const error = await within(
        pending.catch((e: unknown) => e),
        'the script and its child to stop',
      );
      expect(error).toMatchObject({ kind: 'error', message: 'interrupted' });
      await within(untilStopped(pid), `process ${pid} to stop`);
    });
  });
});
