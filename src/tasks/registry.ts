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

/** Built-in tasks. Adding a task is adding its folder and one line here. */
export const builtinTasks: Readonly<Record<string, TaskDefinition<never>>> = {
  assess: assessTask as TaskDefinition<never>,
  custommetrics: customMetricsTask as TaskDefinition<never>,
  grpc: grpcTask as TaskDefinition<never>,
  http: httpTask as TaskDefinition<never>,
  llm: llmTask as TaskDefinition<never>,
  notify: notifyTask as TaskDefinition<never>,
  slack: slackTask as TaskDefinition<never>,
  github: githubTask as TaskDefinition<never>,
  ready: readyTask as TaskDefinition<never>,
  rollout: rolloutTask as TaskDefinition<never>,
  run: runTask as TaskDefinition<never>,
};

export type TaskRegistry = ReadonlyMap<string, TaskDefinition<never>>;

export function createRegistry(
  plugins: ReadonlyMap<string, TaskDefinition<never>> = new Map(),
): TaskRegistry {
  return new Map([...Object.entries(builtinTasks), ...plugins]);
}
