/**
 * The Kubernetes objects of one experiment group, as plain objects in the
 * order launch creates them: the experiment Secret, the (empty) results
 * Secret, the ServiceAccount, Role and RoleBinding (plus a pair per other
 * namespace a ready task reads in), and last the Job or CronJob, so its pod
 * finds everything in place. Pure: no cluster, no I/O.
 */
import { stringify } from 'yaml';
import type { Experiment } from '../config/experiment.js';
import { CanaryError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { deriveJobBounds } from './job-bounds.js';
import { toolVersion } from '../version.js';
import { checkGroupName, experimentKey, groupLabels, groupNames, type GroupNames } from './group-names.js';
import { readyTargetsOf, resolveReadyAccessStatically, type ReadyAccess } from './manifest-ready-access.js';
import { buildRbacManifests } from './manifest-rbac.js';
import type { Manifest } from './manifest-types.js';
import { buildWorkload, type JobBounds } from './manifest-workload.js';
import { checkSecretSize, emptyWiring, type PodLayout, type PodWiring } from './pod-wiring.js';

export type { Manifest } from './manifest-types.js';

export const imageRepository = 'ghcr.io/canary/canary';
/** The runner image of this canary version; `--set image=...` overrides it. */
export const defaultImage = `${imageRepository}:${toolVersion}`;

export type Runner = 'job' | 'cronjob';

export interface GroupManifestOptions {
  /** Compiled and normalized (see loadExperiment). */
  experiment: Experiment;
  /** The values it was built with: `if:` conditions read them in every loop. */
  values?: Record<string, unknown>;
  group: string;
  namespace: string;
  /** Default `defaultImage`. */
  image?: string;
  /** Default: a CronJob when there is a schedule, else a Job. */
  runner?: Runner;
  /** Cron schedule (5 fields); default the experiment's `spec.schedule`. */
  schedule?: string;
  /** What ready tasks read, resolved through discovery; default: resolved from well-known types. */
  readyAccess?: readonly ReadyAccess[];
  /** Secrets and files wired into the pod (wirePod); default none. */
  pod?: PodWiring;
  /** The Job's activeDeadlineSeconds and ttlSecondsAfterFinished; default derived from the experiment. */
  bounds?: JobBounds;
  /** The pod runs as this existing account, and no ServiceAccount or RBAC is created (Iter8's chart). */
  serviceAccountName?: string;
  /** The container's resources, replacing canary's defaults (Iter8's `resources`). */
  resources?: Record<string, unknown>;
  /** No progress lines in the pod's log (`canary k run -q`). */
  quiet?: boolean;
}

export function buildGroupManifests(options: GroupManifestOptions): Manifest[] {
  const { experiment, group, namespace } = options;
  const problem = checkGroupName(group);
  if (problem !== undefined) throw new UsageError(`invalid group: ${problem}`);
  const names = groupNames(group);
  const image = checkImage(options.image ?? defaultImage);
  const schedule = scheduleOf(options);
  const readyAccess =
    options.readyAccess ?? resolveReadyAccessStatically(readyTargetsOf(experiment, namespace));
  const pod = options.pod ?? emptyWiring();
  const account = options.serviceAccountName;
  return [
    experimentSecret(names, namespace, { experiment, values: options.values ?? {} }, pod),
    resultsSecret(names, namespace),
    ...(account === undefined
      ? [
          {
            apiVersion: 'v1',
            kind: 'ServiceAccount',
            metadata: { name: names.workload, namespace, labels: groupLabels(group) },
          },
          ...buildRbacManifests(names, namespace, readyAccess),
        ]
      : []),
    buildWorkload({
      names,
      namespace,
      image,
      pod,
      bounds: options.bounds ?? deriveJobBounds(experiment),
      ...(schedule !== undefined ? { schedule } : {}),
      ...(account !== undefined ? { serviceAccountName: account } : {}),
      ...(options.resources !== undefined ? { resources: options.resources } : {}),
      ...(options.quiet ? { quiet: true } : {}),
    }),
  ];
}

function scheduleOf(options: GroupManifestOptions): string | undefined {
  const schedule = options.schedule ?? options.experiment.spec.schedule;
  if (options.runner === 'job' && schedule !== undefined) {
    throw new CanaryError(`runner=job runs one loop, but the experiment has a schedule ("${schedule}")`, {
      exitCode: ExitCode.usage,
      hints: ['use runner=cronjob to run a loop per tick, or remove spec.schedule'],
    });
  }
  if (options.runner === 'cronjob' && schedule === undefined) {
    throw new CanaryError('runner=cronjob needs a schedule, and the experiment has none', {
      exitCode: ExitCode.usage,
      hints: ['--set cronjobSchedule="*/5 * * * *", or spec.schedule in the experiment file'],
    });
  }
  return schedule;
}

/** A tag (`repo:1.2.3`) or, better, a digest (`repo@sha256:<64 hex>`): the digest pins what runs. */
function checkImage(image: unknown): string {
  if (typeof image !== 'string' || image.trim() === '' || /\s/.test(image.trim())) {
    throw new UsageError(`image must be an image reference, got ${JSON.stringify(image)}`, [
      `e.g. --set image=${defaultImage}`,
    ]);
  }
  const trimmed = image.trim();
  const digest = trimmed.includes('@') ? trimmed.slice(trimmed.indexOf('@') + 1) : undefined;
  if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new UsageError(
      `image ${JSON.stringify(trimmed)}: a digest must be sha256: and 64 lower-case hex digits`,
      [
        `e.g. --set image=${imageRepository}@sha256:<digest from \`docker buildx imagetools inspect ${defaultImage}\`>`,
      ],
    );
  }
  return trimmed;
}

/** What the experiment Secret holds under `experimentKey`, as `canary k run` reads it. */
export interface CompiledExperiment {
  experiment: Experiment;
  values: Record<string, unknown>;
  /** Carried and secret files, when the experiment references any. */
  pod?: PodLayout;
}

function experimentSecret(
  names: GroupNames,
  namespace: string,
  compiled: CompiledExperiment,
  pod: PodWiring,
): Manifest {
  const { layout } = pod;
  const withLayout =
    layout.files.length + layout.secretFiles.length > 0 ? { ...compiled, pod: layout } : compiled;
  const data = {
    [experimentKey]: Buffer.from(JSON.stringify(withLayout, null, 2)).toString('base64'),
    ...pod.data,
  };
  const labels = Object.fromEntries([
    [experimentKey, 'the compiled experiment'],
    ...layout.files.map((f) => [f.key, f.path]),
  ]);
  checkSecretSize(names.experimentSecret, data, labels);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: names.experimentSecret, namespace, labels: groupLabels(names.group) },
    type: 'Opaque',
    data,
  };
}

/**
 * Created empty up front so the runner only ever gets and updates it: RBAC
 * cannot restrict `create` to one name. `canary k run` fills it in.
 */
function resultsSecret(names: GroupNames, namespace: string): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: names.resultsSecret, namespace, labels: groupLabels(names.group) },
    type: 'Opaque',
  };
}

/**
 * The experiment inside an experiment Secret (`{experiment, values}`, or a bare
 * experiment as an earlier launch may have written it); undefined when there
 * is none or it does not parse.
 */
export function experimentInSecret(
  secret: { data?: Record<string, string> } | undefined,
): Experiment | undefined {
  const encoded = secret?.data?.[experimentKey];
  if (encoded === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as
      Partial<CompiledExperiment> | Experiment;
    const experiment = 'apiVersion' in value ? value : value.experiment;
    return Array.isArray(experiment?.spec?.tasks) ? experiment : undefined;
  } catch {
    return undefined;
  }
}

export type ManifestFormat = 'yaml' | 'json';

/** YAML documents separated by `---`, or a JSON `List`: what `kubectl apply -f -` takes. */
export function renderManifests(manifests: readonly Manifest[], format: ManifestFormat): string {
  if (format === 'json') {
    return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }, null, 2)}\n`;
  }
  return manifests.map((manifest) => stringify(manifest, { lineWidth: 0 })).join('---\n');
}
