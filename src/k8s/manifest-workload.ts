/**
 * The Job (one loop) or CronJob (a loop per tick) that runs `canary k run -g
 * <group>` in the canary image, locked down: non-root numeric UID, no
 * privilege escalation, no capabilities, read-only root filesystem (an
 * emptyDir at /tmp holds work dirs and the template cache), RuntimeDefault
 * seccomp, bounded resources, and no Istio sidecar (it would keep a Job's pod
 * running after the loop ends).
 */
import { CanaryError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { checkCron } from '../config/cron.js';
import { groupLabels, type GroupNames } from './group-names.js';
import type { Manifest } from './manifest-types.js';
import type { JobBounds } from './job-bounds.js';
import type { PodWiring } from './pod-wiring.js';

export type { JobBounds } from './job-bounds.js';

/** The image's USER (see Dockerfile); numeric so the kubelet can verify runAsNonRoot. */
export const RUNNER_UID = 1000;

/** A CronJob's finished Jobs kept for `canary k log`; older ones (and their pods) go. */
export const SUCCESSFUL_JOBS_KEPT = 3;
export const FAILED_JOBS_KEPT = 3;

/** A missed tick may still start this late; also keeps the controller from giving up after 100 misses. */
const STARTING_DEADLINE_SECONDS = 120;

const RESOURCES = {
  requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
  limits: { cpu: '1', memory: '512Mi', 'ephemeral-storage': '1Gi' },
};

const TMP = '/tmp';

export interface WorkloadOptions {
  names: GroupNames;
  namespace: string;
  image: string;
  /** A 5-field cron expression makes a CronJob; none a Job. */
  schedule?: string;
  /** Secret env, secret-file volumes (pod-wiring.ts). */
  pod: Pick<PodWiring, 'env' | 'volumes' | 'volumeMounts'>;
  bounds: JobBounds;
  /** Default: the group's own account. */
  serviceAccountName?: string;
  /** Default: canary's bounded requests and limits. */
  resources?: Record<string, unknown>;
  quiet?: boolean;
}

export function buildWorkload(options: WorkloadOptions): Manifest {
  const { names, namespace, schedule } = options;
  const metadata = { name: names.workload, namespace, labels: groupLabels(names.group) };
  const jobSpec = buildJobSpec(options);
  if (schedule === undefined) return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: jobSpec };
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata,
    spec: {
      schedule: checkKubernetesSchedule(schedule),
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: STARTING_DEADLINE_SECONDS,
      successfulJobsHistoryLimit: SUCCESSFUL_JOBS_KEPT,
      failedJobsHistoryLimit: FAILED_JOBS_KEPT,
      jobTemplate: { metadata: { labels: groupLabels(names.group) }, spec: jobSpec },
    },
  };
}

/**
 * A schedule Kubernetes accepts: canary's own scheduler takes a seconds field
 * too, a CronJob only the standard five (or a macro such as @hourly).
 */
export function checkKubernetesSchedule(schedule: string): string {
  const trimmed = schedule.trim();
  const problem = checkCron(trimmed);
  const hint = 'for example "*/1 * * * *" (every minute) or "*/10 * * * *" (every 10 minutes)';
  if (problem !== undefined) {
    throw new CanaryError(`invalid cron schedule "${schedule}": ${problem}`, {
      exitCode: ExitCode.invalidExperiment,
      hints: [hint],
    });
  }
  if (!trimmed.startsWith('@') && trimmed.split(/\s+/).length === 6) {
    throw new CanaryError(
      `cron schedule "${schedule}" has 6 fields (seconds first), but a Kubernetes CronJob takes 5 (minute hour day-of-month month day-of-week): it cannot run more often than once a minute`,
      { exitCode: ExitCode.invalidExperiment, hints: [hint, 'or run the experiment locally: canary run'] },
    );
  }
  return trimmed;
}

function buildJobSpec(options: WorkloadOptions): Record<string, unknown> {
  const { names, image, pod, bounds } = options;
  return {
    // A failed loop is recorded as failed; retrying it in a new pod would record a second loop.
    backoffLimit: 0,
    // A hung pod ends (Job condition Failed, reason DeadlineExceeded) instead of blocking the schedule.
    activeDeadlineSeconds: bounds.activeDeadlineSeconds,
    ttlSecondsAfterFinished: bounds.ttlSecondsAfterFinished,
    template: {
      metadata: {
        labels: groupLabels(names.group),
        annotations: { 'sidecar.istio.io/inject': 'false' },
      },
      spec: {
        serviceAccountName: options.serviceAccountName ?? names.workload,
        automountServiceAccountToken: true,
        restartPolicy: 'Never',
        securityContext: {
          runAsNonRoot: true,
          runAsUser: RUNNER_UID,
          runAsGroup: RUNNER_UID,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        containers: [
          {
            name: 'canary',
            image,
            imagePullPolicy: 'IfNotPresent',
            command: ['canary'],
            args: ['k', 'run', '-g', names.group, ...(options.quiet ? ['-q'] : [])],
            env: [
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              // The root filesystem is read-only: caches and temporary files go to the emptyDir.
              { name: 'HOME', value: TMP },
              { name: 'TMPDIR', value: TMP },
              { name: 'CANARY_CACHE_DIR', value: `${TMP}/canary-cache` },
              { name: 'NO_COLOR', value: '1' },
              ...pod.env,
            ],
            resources: options.resources ?? RESOURCES,
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
              capabilities: { drop: ['ALL'] },
            },
            volumeMounts: [{ name: 'tmp', mountPath: TMP }, ...pod.volumeMounts],
          },
        ],
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '512Mi' } }, ...pod.volumes],
      },
    },
  };
}
