import type { TaskDefinition } from './task-definition.js';
import { assessTask } from './assess/assess.js';
import { customMetricsTask } from './custommetrics/custommetrics.js';
import { grpcTask } from './grpc/grpc.js';
import { httpTask } from './http/http.js';
import { llmTask } from './llm/llm.js';
import { notifyTask } from './notify/notify.js';
import { githubTask, slackTask } from './notify/iter8-notify-tasks.js';
import { readyTask } from './ready/ready.js';
import { rolloutTask } from './rollout/rollout.js';
import { runTask } from './run/run.js';

/**
 * Built-in tasks. Adding a task is adding its folder and one line here. `satisfies` checks each
 * entry while keeping its own input type (each is a defineTask, typed from its input schema).
 */
export const builtinTaskTable = {
  assess: assessTask,
  custommetrics: customMetricsTask,
  grpc: grpcTask,
  http: httpTask,
  llm: llmTask,
  notify: notifyTask,
  slack: slackTask,
  github: githubTask,
  ready: readyTask,
  rollout: rolloutTask,
  run: runTask,
} satisfies Record<string, TaskDefinition<never>>;

export type BuiltinTaskName = keyof typeof builtinTaskTable;

/** The table looked up by any name (a `task:` from a file); inputs reach tasks only after their schema check. */
export const builtinTasks: Readonly<Record<string, TaskDefinition<never>>> = builtinTaskTable;

export type TaskRegistry = ReadonlyMap<string, TaskDefinition<never>>;

export function createRegistry(
  plugins: ReadonlyMap<string, TaskDefinition<never>> = new Map(),
): TaskRegistry {
  return new Map([...Object.entries(builtinTasks), ...plugins]);
}
