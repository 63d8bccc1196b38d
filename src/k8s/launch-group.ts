/**
 * `canary k launch`: the experiment (from FILE or values) validated as
 * `canary run` validates it, turned into the group's manifests, and either
 * printed (`--dry-run`, no cluster) or written to the cluster. Launching a
 * group again replaces its objects: a previous Job is deleted with its pods
 * (a Job's pod template cannot be changed in place), a CronJob is replaced,
 * and the old results are archived before the results Secret is emptied.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { collectValues } from '../config/values-input.js';
import { hasErrors, formatDiagnostic } from '../config/diagnostics.js';
import { loadExperiment } from '../config/load-experiment.js';
import type { Experiment } from '../config/experiment.js';
import type { ValueFlagValues } from '../cli/prepare-experiment.js';
import { CanaryError, ConfigError, UsageError } from '../errors.js';
import { checkGroupName, groupNames, type GroupNames } from './group-names.js';
import { loadKubeClient, type KubeClient } from './kube-client.js';
import { archiveName, archiveStamp, buildResultsArchive } from './manifest-archive.js';
import {
  extraNamespacesOf,
  readyTargetsOf,
  resolveReadyAccess,
  type ReadyAccess,
} from './manifest-ready-access.js';
import { discoveryError, kubeConfigProblem } from './manifest-request-error.js';
import { GroupObjects, refOf } from './manifest-requests.js';
import { extraRbacName } from './manifest-rbac.js';
import { describeRef, type Manifest, type ObjectRef } from './manifest-types.js';
import { deriveJobBounds, type JobBounds } from './job-bounds.js';
import { parseSecretMappings, wirePod, type PodWiring } from './pod-wiring.js';
import {
  buildGroupManifests,
  experimentInSecret,
  renderManifests,
  type ManifestFormat,
  type Runner,
} from './manifests.js';

/** The whole launch, however many objects: a hung API server must not hang a CI job. */
const LAUNCH_TIMEOUT_MS = 120_000;
/** A deleted Job can linger a moment (finalizers, garbage collection) before its name is free again. */
const JOB_NAME_RETRIES = 20;
const JOB_NAME_RETRY_MS = 500;

export interface ObjectAction {
  action: 'created' | 'replaced' | 'deleted' | 'archived';
  ref: ObjectRef;
  detail?: string;
}

export interface LaunchReport {
  group: string;
  namespace: string;
  server: string;
  contextName: string;
  workload: ObjectRef;
  schedule?: string;
  actions: ObjectAction[];
}

export interface LaunchOptions {
  client: KubeClient;
  group: string;
  namespace: string;
  manifests: readonly Manifest[];
  signal: AbortSignal;
  now?: () => Date;
}

/** Creates or replaces every object of the group, in the manifests' order. */
export async function launchGroup(options: LaunchOptions): Promise<LaunchReport> {
  const { client, group, namespace, manifests } = options;
  const names = groupNames(group);
  const objects = new GroupObjects(client, options.signal);
  const actions: ObjectAction[] = [];
  const workload = manifests.find((m) => m.kind === 'Job' || m.kind === 'CronJob');
  if (!workload) throw new Error('launchGroup: the manifests have no Job or CronJob');

  const previous = experimentInSecret(
    (await objects.read({ kind: 'Secret', name: names.experimentSecret, namespace })) as V1Secret | undefined,
  );
  try {
    const hadJob = await stopPreviousRunner(objects, names, namespace, workload.kind, actions);

    for (const manifest of manifests) {
      const ref = refOf(manifest);
      if (manifest.kind === 'Secret' && ref.name === names.resultsSecret) {
        actions.push(...(await resetResults(objects, names, manifest, options.now?.() ?? new Date())));
      } else if (manifest.kind === 'Job') {
        await createJob(objects, manifest);
        actions.push(
          hadJob
            ? { action: 'replaced', ref, detail: 'the previous Job and its pods were deleted' }
            : { action: 'created', ref },
        );
      } else {
        actions.push({ action: await objects.createOrReplace(manifest), ref });
      }
    }

    // RBAC left in namespaces the previous experiment's ready tasks read in, but this one does not.
    const nowUsed = new Set(manifests.map((m) => m.metadata.namespace));
    for (const stale of (previous ? extraNamespacesOf(previous, namespace) : []).filter(
      (n) => !nowUsed.has(n),
    )) {
      for (const kind of ['RoleBinding', 'Role'] as const) {
        const ref = { kind, name: extraRbacName(names, namespace), namespace: stale };
        if (await objects.remove(ref))
          actions.push({ action: 'deleted', ref, detail: 'no ready task reads here any more' });
      }
    }
  } catch (error) {
    throw stoppedHalfWay(error, { group, namespace, actions });
  }
  const schedule = (workload['spec'] as { schedule?: string }).schedule;
  return {
    group,
    namespace,
    server: client.server,
    contextName: client.contextName,
    workload: refOf(workload),
    ...(schedule !== undefined ? { schedule } : {}),
    actions,
  };
}

/**
 * Deletes the previous Job (its pod template is immutable, so it is recreated)
 * and a CronJob when the runner is now a Job; a CronJob staying a CronJob is
 * replaced in place later. Returns whether a Job was deleted.
 */
async function stopPreviousRunner(
  objects: GroupObjects,
  names: GroupNames,
  namespace: string,
  kind: string,
  actions: ObjectAction[],
): Promise<boolean> {
  const job: ObjectRef = { kind: 'Job', name: names.workload, namespace };
  const hadJob = await objects.remove(job, 'Background');
  if (hadJob && kind !== 'Job')
    actions.push({ action: 'deleted', ref: job, detail: 'the runner is now a CronJob' });
  if (kind === 'Job') {
    const cronJob: ObjectRef = { kind: 'CronJob', name: names.workload, namespace };
    if (await objects.remove(cronJob, 'Background')) {
      actions.push({ action: 'deleted', ref: cronJob, detail: 'the runner is now a Job' });
    }
  }
  return hadJob && kind === 'Job';
}

/**
 * Archives the results Secret when it holds anything, then empties it — at the
 * resourceVersion that was archived, so a loop finishing meanwhile is archived too.
 */
async function resetResults(
  objects: GroupObjects,
  names: GroupNames,
  manifest: Manifest,
  now: Date,
): Promise<ObjectAction[]> {
  const ref = refOf(manifest);
  for (;;) {
    const current = (await objects.read(ref)) as V1Secret | undefined;
    if (!current) {
      if (await objects.create(manifest)) return [{ action: 'created', ref }];
      continue;
    }
    const data = current.data ?? {};
    let archived: ObjectRef | undefined;
    if (Object.keys(data).length > 0) {
      const stamp = archiveStamp(now);
      for (let attempt = 1; !archived; attempt++) {
        const archive = buildResultsArchive({
          names,
          namespace: ref.namespace,
          name: archiveName(names, stamp, attempt),
          stamp,
          ...(current.type !== undefined ? { type: current.type } : {}),
          data,
        });
        if (await objects.create(archive)) archived = refOf(archive);
      }
    }
    if (await objects.replaceAt(manifest, current.metadata?.resourceVersion ?? '')) {
      return archived
        ? [
            { action: 'archived', ref, detail: `old results copied to ${describeRef(archived)}` },
            { action: 'replaced', ref, detail: 'emptied for the new launch' },
          ]
        : [{ action: 'replaced', ref }];
    }
    // Written meanwhile: that copy is out of date; archive again.
    if (archived) await objects.remove(archived);
  }
}

/**
 * A launch that failed after writing some objects: say which ones, and the two ways out. Deleting
 * them here could remove a previous launch's objects that were replaced, so the user decides.
 */
function stoppedHalfWay(
  error: unknown,
  done: { group: string; namespace: string; actions: readonly ObjectAction[] },
): unknown {
  if (!(error instanceof CanaryError) || done.actions.length === 0) return error;
  const written = done.actions.map((a) => `${a.action} ${describeRef(a.ref)}`).join(', ');
  return new CanaryError(`launch stopped half-way: ${error.message}`, {
    exitCode: error.exitCode,
    cause: error,
    hints: [
      ...error.hints,
      `already done: ${written}`,
      'launch again once the cause is fixed: it replaces what exists',
      `or remove the group: canary k delete -g ${done.group} -n ${done.namespace}`,
    ],
  });
}

async function createJob(objects: GroupObjects, manifest: Manifest): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (await objects.create(manifest)) return;
    if (attempt >= JOB_NAME_RETRIES) {
      throw new UsageError(
        `${describeRef(refOf(manifest))} still exists after it was deleted; wait for it to go, then launch again`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, JOB_NAME_RETRY_MS));
  }
}

// ---- the command ------------------------------------------------------------------------------

export interface LaunchFlags extends ValueFlagValues {
  group: string;
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  'dry-run': boolean;
  output?: ManifestFormat;
  /** `VAR=secret/key`: a secret environment variable from a Kubernetes Secret. */
  'secret-env'?: string[];
  /** `PATH=secret/key`: a secret file, mounted read-only where the experiment reads it. */
  'secret-file'?: string[];
}

export interface LaunchRequest {
  file?: string;
  flags: LaunchFlags;
  cwd: string;
  /** Environment for kubeconfig lookup and template checks (the CLI passes process.env). */
  env: Readonly<Record<string, string | undefined>>;
  output: { log(text: string): void; warn(text: string): void };
  signal?: AbortSignal;
  now?: () => Date;
}

/** Launch settings among the values: not tasks, but how and where the experiment runs. */
interface LaunchSettings {
  runner?: Runner;
  schedule?: string;
  image?: string;
  /** activeDeadlineSeconds / ttlSecondsAfterFinished overrides. */
  bounds: Partial<JobBounds>;
  serviceAccountName?: string;
  resources?: Record<string, unknown>;
  quiet?: boolean;
}

export async function launchFromCli(request: LaunchRequest): Promise<void> {
  const { flags, output } = request;
  const groupProblem = checkGroupName(flags.group);
  if (groupProblem !== undefined) throw new UsageError(`invalid group: ${groupProblem}`, ['-g my-group']);
  const { experiment, values, experimentDir } = await prepare(request);
  const { bounds, ...settings } = launchSettingsOf(values);
  const pod = await wirePod({
    experiment,
    experimentDir,
    secretEnv: parseSecretMappings('secret-env', flags['secret-env'] ?? []),
    secretFiles: parseSecretMappings('secret-file', flags['secret-file'] ?? []),
  });
  const jobBounds = { ...deriveJobBounds(experiment), ...bounds };
  const build = (namespace: string, readyAccess?: readonly ReadyAccess[]) =>
    buildGroupManifests({
      experiment,
      values,
      group: flags.group,
      namespace,
      ...settings,
      pod,
      bounds: jobBounds,
      ...(readyAccess ? { readyAccess } : {}),
    });

  if (flags['dry-run']) {
    const namespace = flags.namespace ?? experiment.metadata.namespace ?? namespaceFromKubeconfig(request);
    const manifests = build(namespace);
    for (const line of describePod(pod, jobBounds)) output.warn(`canary: pod: ${line}`);
    warnAboutPod(pod, output);
    output.log(renderManifests(manifests, flags.output ?? 'yaml').trimEnd());
    return;
  }

  const client = connect(request);
  const namespace = flags.namespace ?? experiment.metadata.namespace ?? client.namespace;
  const signal = AbortSignal.any([
    AbortSignal.timeout(LAUNCH_TIMEOUT_MS),
    ...(request.signal ? [request.signal] : []),
  ]);
  // Schedule, image and runner problems surface before any request.
  build(namespace, []);
  const readyAccess = await resolveReadyAccess(client, readyTargetsOf(experiment, namespace), signal).catch(
    (error: unknown) => {
      throw discoveryError(error, client);
    },
  );
  const manifests = build(namespace, readyAccess);
  warnAboutPod(pod, output);
  const report = await launchGroup({
    client,
    group: flags.group,
    namespace,
    manifests,
    signal,
    ...(request.now ? { now: request.now } : {}),
  });
  const podLines = describePod(pod, jobBounds);
  output.log(
    flags.output === 'json'
      ? JSON.stringify({ ...report, pod: podLines }, null, 2)
      : [formatLaunchReport(report), ...podLines.map((line) => `pod: ${line}`)].join('\n'),
  );
}

/** What the pod gets besides the experiment, and its deadline. */
function describePod(pod: PodWiring, bounds: JobBounds): string[] {
  return [
    ...pod.report,
    `the Job ends after ${bounds.activeDeadlineSeconds}s at most (activeDeadlineSeconds; --set activeDeadlineSeconds=N), and is removed ${bounds.ttlSecondsAfterFinished}s after it finishes`,
  ];
}

function warnAboutPod(pod: PodWiring, output: LaunchRequest['output']): void {
  for (const warning of pod.warnings) output.warn(`canary: warning: ${warning}`);
}

/** Values, then every validation stage `canary run` applies; warnings printed, errors thrown. */
async function prepare(
  request: LaunchRequest,
): Promise<{ experiment: Experiment; values: Record<string, unknown>; experimentDir: string }> {
  const { file, flags, cwd, env, output } = request;
  const values = await collectValues(cwd, {
    files: flags.values,
    sets: flags.set,
    setStrings: flags['set-string'],
  });
  const loaded = await loadExperiment({
    ...(file !== undefined ? { file } : {}),
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    cwd,
    values,
    env,
  });
  if (hasErrors(loaded.diagnostics) || !loaded.experiment) {
    throw new ConfigError(loaded.diagnostics, loaded.sourceLines);
  }
  for (const diagnostic of loaded.diagnostics) output.warn(formatDiagnostic(diagnostic, loaded.sourceLines));
  return { experiment: loaded.experiment, values, experimentDir: loaded.experimentDir };
}

/**
 * `runner` (job, cronjob), `cronjobSchedule`, `image` (Iter8's `iter8Image`),
 * and Iter8's `serviceAccountName`, `resources` and `logLevel`. With values
 * alone, runner=cronjob has already become the experiment's spec.schedule;
 * with a FILE, cronjobSchedule wins over it.
 */
function launchSettingsOf(values: Record<string, unknown>): LaunchSettings {
  const settings: LaunchSettings = {
    ...podSettingsOf(values),
    ...imageOf(values),
    bounds: {},
  };
  for (const key of ['activeDeadlineSeconds', 'ttlSecondsAfterFinished'] as const) {
    const value = values[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new UsageError(
        `${key} must be a whole number of seconds (1 or more), got ${JSON.stringify(value)}`,
        [`e.g. --set ${key}=1800`],
      );
    }
    settings.bounds[key] = value;
  }
  const runner = values['runner'];
  if (runner === 'job' || runner === 'cronjob') settings.runner = runner;
  else if (runner === 'none') {
    // The chart's runner=none rendered no Job: Iter8 users ran `iter8 k run` themselves.
    throw new UsageError('runner=none launches nothing to run the experiment', [
      'use runner=job (one loop) or runner=cronjob with cronjobSchedule',
      'to only see the manifests: canary k launch --dry-run; to run here: canary run',
    ]);
  } else if (runner !== undefined && runner !== null) {
    throw new UsageError(`runner must be job or cronjob, got ${JSON.stringify(runner)}`, [
      '--set runner=cronjob --set cronjobSchedule="*/5 * * * *"',
    ]);
  }
  const schedule = values['cronjobSchedule'];
  if (settings.runner !== 'cronjob' && schedule !== undefined && schedule !== null && schedule !== '') {
    throw new UsageError('cronjobSchedule is set but runner is not cronjob, so it would be ignored', [
      '--set runner=cronjob, or remove cronjobSchedule',
    ]);
  }
  if (settings.runner === 'cronjob' && schedule !== undefined && schedule !== null) {
    if (typeof schedule !== 'string' || schedule.trim() === '') {
      throw new UsageError(`cronjobSchedule must be a cron expression, got ${JSON.stringify(schedule)}`, [
        '--set cronjobSchedule="*/5 * * * *"',
      ]);
    }
    settings.schedule = schedule;
  }
  return settings;
}

/** `image`, or Iter8's name for it, `iter8Image`; Iter8's own image cannot run canary. */
function imageOf(values: Record<string, unknown>): { image?: string } {
  const image = values['image'] ?? values['iter8Image'];
  const key = values['image'] !== undefined && values['image'] !== null ? 'image' : 'iter8Image';
  if (image === undefined || image === null) return {};
  if (typeof image !== 'string') {
    throw new UsageError(`${key} must be an image reference, got ${JSON.stringify(image)}`);
  }
  if (key === 'iter8Image' && /^(docker\.io\/)?iter8\/iter8(:|@|$)/.test(image.trim())) {
    throw new UsageError(`iter8Image=${image} is Iter8's own image, which cannot run canary`, [
      'remove iter8Image (canary uses its own image), or set image=REPOSITORY:TAG of a canary image',
    ]);
  }
  return { image };
}

/** Iter8's logLevel values; error and above print no progress lines (`canary k run -q`). */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warning', 'error', 'fatal', 'panic'];

/** The pod: Iter8's serviceAccountName (use it; create no RBAC), resources and logLevel. */
function podSettingsOf(values: Record<string, unknown>): Omit<LaunchSettings, 'bounds'> {
  const settings: Omit<LaunchSettings, 'bounds'> = {};
  const account = values['serviceAccountName'];
  if (account !== undefined && account !== null && account !== '') {
    if (typeof account !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(account)) {
      throw new UsageError(
        `serviceAccountName must be the name of a ServiceAccount, got ${JSON.stringify(account)}`,
      );
    }
    settings.serviceAccountName = account;
  }
  const resources = values['resources'];
  if (resources !== undefined && resources !== null) {
    const isMap = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    const entries = isMap(resources) ? Object.entries(resources as Record<string, unknown>) : [];
    const bad = entries.find(([k, v]) => !['requests', 'limits'].includes(k) || !isMap(v));
    if (!isMap(resources) || bad) {
      throw new UsageError(
        `resources must be a map of requests and limits (e.g. cpu, memory), got ${bad ? `resources.${bad[0]}` : JSON.stringify(resources)}`,
        ['--set resources.limits.memory=256Mi --set resources.requests.cpu=250m'],
      );
    }
    settings.resources = resources as Record<string, unknown>;
  }
  const level = values['logLevel'];
  if (level !== undefined && level !== null) {
    if (typeof level !== 'string' || !LOG_LEVELS.includes(level.toLowerCase())) {
      throw new UsageError(`logLevel must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
    }
    if (['error', 'fatal', 'panic'].includes(level.toLowerCase())) settings.quiet = true;
  }
  return settings;
}

function connect(request: LaunchRequest): KubeClient {
  try {
    return loadKubeClient(kubeOptions(request));
  } catch (error) {
    throw kubeConfigProblem(error);
  }
}

/** `--dry-run` talks to no cluster, but reads the kubeconfig's namespace when there is one. */
function namespaceFromKubeconfig(request: LaunchRequest): string {
  try {
    return loadKubeClient(kubeOptions(request)).namespace;
  } catch (error) {
    // Only a kubeconfig the user named must be usable.
    if (request.flags.kubeconfig !== undefined || request.flags.context !== undefined)
      throw kubeConfigProblem(error);
    return 'default';
  }
}

function kubeOptions(request: LaunchRequest): Parameters<typeof loadKubeClient>[0] {
  const { flags, env } = request;
  return {
    env,
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
  };
}

export function formatLaunchReport(report: LaunchReport): string {
  const width = Math.max(...report.actions.map((a) => a.action.length));
  const lines = [
    `launched group "${report.group}" in namespace "${report.namespace}" (context "${report.contextName}", ${report.server})`,
    ...report.actions.map(
      (a) =>
        `  ${a.action.padEnd(width)}  ${describeRef(a.ref)}${a.ref.namespace !== report.namespace ? ` (namespace ${a.ref.namespace})` : ''}${a.detail ? `: ${a.detail}` : ''}`,
    ),
  ];
  const run = `canary k run -g ${report.group}`;
  lines.push(
    report.schedule !== undefined
      ? `the CronJob runs \`${run}\` on "${report.schedule}" (one loop per tick)`
      : `the Job runs \`${run}\` once (one loop)`,
    `follow it with: canary k log -g ${report.group}; judge it with: canary k assert -g ${report.group}`,
  );
  return lines.join('\n');
}
