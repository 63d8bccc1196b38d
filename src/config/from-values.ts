/**
 * Builds an experiment document from Helm-style values alone, following what
 * Iter8's chart (iter8-tools/iter8 charts/iter8, v0.13/v0.14) rendered, so an
 * Iter8 `--set` command line gives the same task list here.
 *
 * Chart behaviour kept: `tasks` orders the tasks; `ready` expands into one
 * ready task per resource shortcut (service, deploy, ksvc, isvc, chaosengine,
 * in the chart's order) with `timeout` and `namespace` copied in; every other
 * task gets a copy of `values.<task>` as its inputs; `runner=cronjob` needs
 * `cronjobSchedule`; the chart's `fail` checks for http, grpc and slack become
 * problems.
 *
 * Warmup: where the chart rendered a second, discarded load task first, the
 * http and grpc tasks read `warmupNumRequests` / `warmupDuration` themselves
 * and warm up at the same load. The chart used the count when both were set;
 * the tasks refuse both, since the duration would be dropped unsaid.
 *
 * Chart behaviour not kept: assess SLO maps are not rewritten into
 * `[{metric, limit}]` lists; URL inputs do not generate download (`run`)
 * tasks (grpc fetches protoURL, dataURL and metadataURL itself; inputs it
 * lacks, such as binaryDataURL, are refused by its schema); slack/github are
 * not rewritten into notify tasks. Later stages handle those inputs. Unknown
 * task names pass through for validation to report, where the chart failed
 * outright.
 */
import { parseDuration } from '../util/duration.js';
import { suggestKey } from './schema-check.js';
import {
  hasGrpcEndpoints,
  iter8GrpcEndpointsHint,
  iter8GrpcEndpointsNote,
  iter8HttpEdits,
  withIter8HttpEdits,
} from './iter8-http-defaults.js';

export interface ExperimentTask {
  task: string;
  with?: Record<string, unknown>;
}

export interface ExperimentDocument {
  apiVersion: 'canary/v1';
  kind: 'Experiment';
  metadata: { name: string };
  spec: {
    /** Cron schedule, present only when values ask for `runner=cronjob`. */
    schedule?: string;
    tasks: ExperimentTask[];
  };
}

export interface ExperimentFromValues {
  experiment: ExperimentDocument;
  /** Human-readable problems; the document is still built as far as possible. */
  problems: string[];
  /** Values accepted with a different effect than in Iter8, said out loud. */
  notes: string[];
}

/** Iter8 chart task names: their values are the task's inputs (canary's own tasks likewise). */
const TASK_KEYS = [
  ...['ready', 'http', 'grpc', 'assess', 'custommetrics', 'slack', 'github', 'abnmetrics'],
  ...['notify', 'run'],
];

/**
 * Every other top-level key Iter8 v0.14's chart read (values.yaml, templates), and canary's own.
 * How and where the experiment runs (runner, image, resources...) is read by `canary k launch`.
 */
const SETTING_KEYS = [
  'tasks',
  'name',
  'runner',
  'cronjobSchedule',
  'image',
  'iter8Image',
  'majorMinor',
  'logLevel',
  'resources',
  'serviceAccountName',
  'activeDeadlineSeconds',
  'ttlSecondsAfterFinished',
];

/** Settings of the pod `canary k launch` creates; a local run has no pod to apply them to. */
const POD_SETTING_KEYS = [
  ...['image', 'iter8Image', 'serviceAccountName', 'resources', 'logLevel'],
  ...['activeDeadlineSeconds', 'ttlSecondsAfterFinished'],
];

/** The pod settings among `values`, said once when the experiment runs here instead of in a pod. */
export function podSettingsIgnoredHere(values: Record<string, unknown>): string | undefined {
  const present = POD_SETTING_KEYS.filter((k) => values[k] !== undefined && values[k] !== null);
  if (present.length === 0) return undefined;
  return `${present.map((k) => `values.${k}`).join(', ')} ${present.length === 1 ? 'sets' : 'set'} the pod of \`canary k launch\`; a local run has none, so ${present.length === 1 ? 'it has' : 'they have'} no effect here`;
}

/** values.yaml's own default for abnmetrics: present in every copy of it, not a request to run it. */
const CHART_ABNMETRICS_DEFAULT = 'iter8-abn:50051';

/** Iter8 named experiments by Helm release/group, whose default was "default". */
const DEFAULT_NAME = 'default';

const TASKS_HINT = 'e.g. --set "tasks={http,assess}"';

interface ReadyTarget {
  key: string;
  group: string;
  version: string;
  resource: string;
  condition?: string;
}

/** Order and coordinates exactly as in Iter8's `_task-ready.tpl`. */
const READY_TARGETS: readonly ReadyTarget[] = [
  // Iter8 left `group` out for Services; '' is the same core API group, spelled out.
  { key: 'service', group: '', version: 'v1', resource: 'services' },
  { key: 'deploy', group: 'apps', version: 'v1', resource: 'deployments', condition: 'Available' },
  { key: 'ksvc', group: 'serving.knative.dev', version: 'v1', resource: 'services', condition: 'Ready' },
  {
    key: 'isvc',
    group: 'serving.kserve.io',
    version: 'v1beta1',
    resource: 'inferenceservices',
    condition: 'Ready',
  },
  { key: 'chaosengine', group: 'litmuschaos.io', version: 'v1alpha1', resource: 'chaosengines' },
];

const READY_KEYS = [...READY_TARGETS.map((target) => target.key), 'timeout', 'namespace'];

/**
 * Builds the experiment and lists what is wrong with the values. Name
 * precedence: the `name` argument (e.g. a CLI flag), then `values.name`, then
 * "default" as Iter8 did.
 */
export function experimentFromValues(values: Record<string, unknown>, name?: string): ExperimentFromValues {
  const problems: string[] = [];
  const notes: string[] = [];
  checkKeys(values, problems, notes);
  const spec: ExperimentDocument['spec'] = { tasks: buildTasks(values, problems) };
  if (spec.tasks.some((task) => hasGrpcEndpoints(task.task, task.with))) {
    notes.push(`values.grpc.endpoints: ${iter8GrpcEndpointsNote}; ${iter8GrpcEndpointsHint}`);
  }
  const schedule = resolveSchedule(values, problems);
  if (schedule !== undefined) spec.schedule = schedule;
  return {
    experiment: {
      apiVersion: 'canary/v1',
      kind: 'Experiment',
      metadata: { name: resolveName(values, name, problems) },
      spec,
    },
    problems,
    notes,
  };
}

/**
 * No value is silently ignored: a key is a chart setting, the values of a listed task, or an
 * error (with the nearest known key); task values for a task `tasks` does not list are an error.
 */
function checkKeys(values: Record<string, unknown>, problems: string[], notes: string[]): void {
  const listed = Array.isArray(values['tasks']) ? values['tasks'].filter((t) => typeof t === 'string') : [];
  for (const key of Object.keys(values)) {
    if (SETTING_KEYS.includes(key) || listed.includes(key)) continue;
    if (TASK_KEYS.includes(key)) {
      if (key === 'abnmetrics' && isChartAbnDefault(values[key])) continue;
      const tasks = [...listed, key].join(',');
      problems.push(
        `values.${key} is set but values.tasks does not list ${key}, so it would be ignored; add it where it runs (e.g. --set "tasks={${tasks}}") or remove values.${key}`,
      );
      continue;
    }
    const known = [...SETTING_KEYS, ...TASK_KEYS, ...listed];
    const suggestion = suggestKey(key, known);
    problems.push(
      `values.${key} is not a setting of the Iter8 chart or of canary${suggestion?.startsWith('did you mean') ? `; ${suggestion}` : ''} (known: ${known.join(', ')})`,
    );
  }
  if (values['majorMinor'] !== undefined && values['majorMinor'] !== null) {
    notes.push(
      `values.majorMinor (${String(values['majorMinor'])}) is Iter8's version; it is accepted and has no effect: canary records its own version in each result`,
    );
  }
}

function isChartAbnDefault(value: unknown): boolean {
  return (
    isPlainObject(value) && Object.keys(value).length === 1 && value['endpoint'] === CHART_ABNMETRICS_DEFAULT
  );
}

function resolveName(values: Record<string, unknown>, name: string | undefined, problems: string[]): string {
  const chosen: unknown = name ?? values['name'];
  if (chosen === undefined || chosen === null) return DEFAULT_NAME;
  // `--set name=1` types the value as a number; a name is still meant.
  const text = typeof chosen === 'number' ? String(chosen) : chosen;
  if (typeof text !== 'string' || text.trim() === '') {
    problems.push(
      `experiment name must be a non-empty string, got ${describeValue(chosen)}; using "${DEFAULT_NAME}"`,
    );
    return DEFAULT_NAME;
  }
  return text;
}

function buildTasks(values: Record<string, unknown>, problems: string[]): ExperimentTask[] {
  const names = values['tasks'];
  if (names === undefined || names === null) {
    problems.push(`values.tasks is missing; list the tasks to run, in order (${TASKS_HINT})`);
    return [];
  }
  if (!Array.isArray(names)) {
    problems.push(`values.tasks must be a list of task names, got ${describeValue(names)} (${TASKS_HINT})`);
    return [];
  }
  if (names.length === 0) {
    problems.push(`values.tasks is empty; list the tasks to run, in order (${TASKS_HINT})`);
    return [];
  }

  const tasks: ExperimentTask[] = [];
  for (const [index, taskName] of names.entries()) {
    if (typeof taskName !== 'string' || taskName === '') {
      problems.push(`values.tasks[${index}] must be a task name, got ${describeValue(taskName)}`);
      continue;
    }
    if (taskName === 'ready') tasks.push(...expandReady(values['ready'], problems));
    else
      tasks.push(
        buildTask(taskName, Object.hasOwn(values, taskName) ? values[taskName] : undefined, problems),
      );
  }
  return tasks;
}

/** Any task but ready: its values become its inputs, unchanged. */
function buildTask(taskName: string, inputs: unknown, problems: string[]): ExperimentTask {
  // Own keys only: a task named `constructor` must not call Object.
  problems.push(
    ...((Object.hasOwn(CHART_CHECKS, taskName) ? CHART_CHECKS[taskName]?.(inputs) : undefined) ?? []),
  );
  if (inputs === undefined || inputs === null) return { task: taskName };
  if (!isPlainObject(inputs)) {
    problems.push(`values.${taskName} must be a map of task inputs, got ${describeValue(inputs)}`);
    return { task: taskName };
  }
  const copy = structuredClone(inputs);
  // The chart's http values mean what Iter8's task made of them (allowInitialErrors, named endpoints).
  return {
    task: taskName,
    with: taskName === 'http' ? withIter8HttpEdits(copy, iter8HttpEdits(copy, 'values')) : copy,
  };
}

function expandReady(ready: unknown, problems: string[]): ExperimentTask[] {
  const hint = 'e.g. --set ready.deploy=my-app or --set ready.isvc=my-model';
  if (!isPlainObject(ready)) {
    // The chart silently rendered nothing here; an empty check is surely a mistake.
    const got =
      ready === undefined || ready === null
        ? 'values.ready is missing'
        : `values.ready is ${describeValue(ready)}`;
    problems.push(`task ready is listed but ${got}; name a resource to wait for (${hint})`);
    return [];
  }

  for (const key of Object.keys(ready)) {
    if (!READY_KEYS.includes(key)) {
      problems.push(
        `values.ready.${key} is not a ready setting; known settings are ${READY_KEYS.join(', ')}`,
      );
    }
  }

  // Shared by every expanded task, as the chart's "task.ready.tn" did.
  const shared: Record<string, unknown> = {};
  const timeout = ready['timeout'];
  if (isTruthy(timeout)) {
    shared['timeout'] = timeout;
    const problem = durationProblem(timeout);
    if (problem !== undefined) problems.push(`values.ready.timeout: ${problem}`);
  }
  const namespace = ready['namespace'];
  if (isTruthy(namespace)) {
    shared['namespace'] = namespace;
    if (typeof namespace !== 'string') {
      problems.push(`values.ready.namespace must be a namespace name, got ${describeValue(namespace)}`);
    }
  }

  const tasks: ExperimentTask[] = [];
  for (const target of READY_TARGETS) {
    const resourceName = ready[target.key];
    if (!isTruthy(resourceName)) continue;
    if (typeof resourceName !== 'string' && typeof resourceName !== 'number') {
      problems.push(`values.ready.${target.key} must be a resource name, got ${describeValue(resourceName)}`);
      continue;
    }
    const inputs: Record<string, unknown> = {
      group: target.group,
      version: target.version,
      resource: target.resource,
      name: String(resourceName), // the chart quoted it
    };
    if (target.condition !== undefined) inputs['condition'] = target.condition;
    tasks.push({ task: 'ready', with: { ...inputs, ...shared } });
  }
  if (tasks.length === 0) {
    problems.push(
      `task ready is listed but values.ready names no resource; set one of ${READY_TARGETS.map((t) => `ready.${t.key}`).join(', ')} (${hint})`,
    );
  }
  return tasks;
}

function durationProblem(value: unknown): string | undefined {
  try {
    parseDuration(String(value));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function resolveSchedule(values: Record<string, unknown>, problems: string[]): string | undefined {
  const runner = values['runner'];
  // 'none' is the chart's default; job and none both run once, unscheduled.
  if (runner === undefined || runner === null || runner === 'none' || runner === 'job') {
    const schedule = values['cronjobSchedule'];
    if (schedule !== undefined && schedule !== null && schedule !== '') {
      problems.push(
        `values.cronjobSchedule is set but runner is ${runner === undefined || runner === null ? 'not set' : runner}, so the schedule would be ignored; add --set runner=cronjob, or remove cronjobSchedule`,
      );
    }
    return undefined;
  }
  if (runner !== 'cronjob') {
    problems.push(`values.runner must be one of job, cronjob or none, got ${describeValue(runner)}`);
    return undefined;
  }
  const schedule = values['cronjobSchedule'];
  if (typeof schedule === 'string' && schedule.trim() !== '') return schedule;
  const got =
    schedule === undefined || schedule === null ? 'it is missing' : `got ${describeValue(schedule)}`;
  problems.push(
    `runner=cronjob needs values.cronjobSchedule, a cron expression; ${got} (e.g. --set cronjobSchedule="*/5 * * * *")`,
  );
  return undefined;
}

/** The chart's `fail` checks, per task, as problem messages. */
const CHART_CHECKS: Readonly<Record<string, (inputs: unknown) => string[]>> = {
  http: (inputs) => requireSetting('http', inputs, 'url', 'e.g. --set http.url=http://my-app.default'),
  grpc: (inputs) => [
    ...requireSetting('grpc', inputs, 'host', 'e.g. --set grpc.host=my-app.default:50051'),
    ...(isPlainObject(inputs) && isTruthy(inputs)
      ? requireSetting('grpc', inputs, 'call', 'e.g. --set grpc.call=helloworld.Greeter.SayHello')
      : []),
  ],
  slack: (inputs) =>
    requireSetting('slack', inputs, 'url', 'e.g. --set slack.url=https://hooks.slack.com/services/...'),
};

/**
 * The task needs `setting` at the top level or, where the chart allowed it
 * (http, grpc), on every entry of `endpoints`.
 */
function requireSetting(taskName: string, inputs: unknown, setting: string, hint: string): string[] {
  if (inputs === undefined || inputs === null) {
    return [`task ${taskName} needs inputs but values.${taskName} is missing (${hint})`];
  }
  if (!isPlainObject(inputs)) return []; // reported as "must be a map" by buildTask
  if (!isTruthy(inputs)) return [`task ${taskName} needs inputs but values.${taskName} is empty (${hint})`];
  if (isTruthy(inputs[setting])) return [];
  const endpoints = inputs['endpoints'];
  if (taskName !== 'slack' && isPlainObject(endpoints) && isTruthy(endpoints)) {
    return Object.entries(endpoints)
      .filter(([, endpoint]) => !isPlainObject(endpoint) || !isTruthy(endpoint[setting]))
      .map(
        ([id]) =>
          `task ${taskName}: endpoint "${id}" has no ${setting} and values.${taskName}.${setting} is not set`,
      );
  }
  const orEndpoints = taskName === 'slack' ? '' : ` or values.${taskName}.endpoints`;
  return [`task ${taskName} needs values.${taskName}.${setting}${orEndpoints} (${hint})`];
}

/** Go template truthiness, which the chart's `if` used. */
function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}
