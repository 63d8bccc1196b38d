import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Experiment } from '../../src/config/experiment.js';
import type { RunEvent, RunObserver } from '../../src/engine/events.js';
import type { Plan, PlannedTask } from '../../src/plan/plan.js';
import { createRegistry, type TaskRegistry } from '../../src/tasks/registry.js';
import type { TaskContext, TaskDefinition, TaskRunResult } from '../../src/tasks/task-definition.js';

export type TaskSketch = Partial<PlannedTask> & { id: string };

/** A plan from task sketches: `task` defaults to the id, `needs` to none, `retries` to 0. */
export function makePlan(tasks: TaskSketch[], extra: Partial<Plan> = {}): Plan {
  return {
    experiment: { name: 'test' },
    versions: [],
    concurrency: 4,
    waves: [],
    ...extra,
    tasks: tasks.map((t) => ({ task: t.id, with: {}, needs: [], retries: 0, ...t })),
  };
}

type RunFn = (input: Record<string, unknown>, context: TaskContext) => Promise<TaskRunResult | void>;

/** A small in-memory task definition. */
export function defineTestTask(name: string, run: RunFn): TaskDefinition<never> {
  return {
    name,
    description: `test task ${name}`,
    inputSchema: { type: 'object' },
    run,
  } as unknown as TaskDefinition<never>;
}

/** The built-in tasks plus the given in-memory ones. */
export function registryOf(tasks: Record<string, RunFn>): TaskRegistry {
  return createRegistry(
    new Map(Object.entries(tasks).map(([name, run]) => [name, defineTestTask(name, run)])),
  );
}

export const noop: RunFn = async () => {};

/** Records every event it sees. */
export class Recorder implements RunObserver {
  readonly events: RunEvent[] = [];
  constructor(private readonly react?: (event: RunEvent) => void | Promise<void>) {}
  async onEvent(event: RunEvent): Promise<void> {
    this.events.push(event);
    await this.react?.(event);
  }
  of<T extends RunEvent['type']>(type: T): Array<Extract<RunEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
  }
  /** `start:id` / `end:id` markers, in order. */
  get timeline(): string[] {
    return this.events.flatMap((e) =>
      e.type === 'task-start' ? [`start:${e.id}`] : e.type === 'task-end' ? [`end:${e.outcome.id}`] : [],
    );
  }
}

/** A promise that a test opens by hand. */
export function latch(): { promise: Promise<void>; open: () => void; opened: () => boolean } {
  let open!: () => void;
  let isOpen = false;
  const promise = new Promise<void>((resolve) => {
    open = () => {
      isOpen = true;
      resolve();
    };
  });
  return { promise, open, opened: () => isOpen };
}

/**
 * Wait for a promise, but fail instead of hanging when it never settles (a generous guard for
 * the failure case only; passing tests never get near it).
 */
export async function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** Let other promise jobs and I/O callbacks run. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canary-test-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function testExperiment(name = 'test'): Experiment {
  return {
    apiVersion: 'canary/v1',
    kind: 'Experiment',
    metadata: { name },
    spec: { concurrency: 4, tasks: [{ id: 'a', task: 'a', with: {}, needs: [] }] },
  };
}

/** Whether a process is running (not gone, and not a zombie waiting to be reaped). Linux only. */
export function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export async function untilStopped(pid: number): Promise<void> {
  while (isRunning(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
}
