/**
 * Plays the kubelet (and the Job controller) for a Job or CronJob that `k launch` created in the
 * fake API server: reads its pod template, materialises its volumes (emptyDir, Secret items) and
 * the service-account token, resolves its env (values, fieldRefs, secretKeyRefs from Secrets in
 * the fake), and runs exactly its command and args as a child process. What the pod wrote becomes
 * its log, and the Job gets Complete or Failed.
 *
 * Where it cannot be the kubelet, it says so: mounts live under a temporary root (this process
 * cannot write /var/run or own /tmp), so env values naming a mount path are rewritten to that
 * root, and the service-account directory is passed as CANARY_SERVICE_ACCOUNT_DIR. `imageEnv`
 * stands for the image's own ENV. The root filesystem is not read-only and the UID is the test's.
 * Anything the kubelet would refuse (a missing Secret or key, an unknown volume or env source)
 * throws, so a manifest the pod cannot run fails the test.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FakeKubeApi } from './fake-kube-api/index.js';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string };
  };
}

interface Volume {
  name: string;
  emptyDir?: unknown;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: {
    serviceAccountName?: string;
    automountServiceAccountToken?: boolean;
    containers: Container[];
    volumes?: Volume[];
  };
}

export interface PodRunOptions {
  api: FakeKubeApi;
  namespace: string;
  /** The Job or CronJob `k launch` created. */
  workload: { kind: 'Job' | 'CronJob'; name: string };
  /** Service-account token and the API server's CA certificate (PEM). */
  token: string;
  ca: string;
  /** Directory holding the image's executables (a `canary` that runs this checkout's build). */
  binDir: string;
  /** The image's ENV. */
  imageEnv?: Record<string, string>;
  /** Files to put in volumes before the start, by mount path (e.g. a cache the pod would have filled). */
  prefill?: (root: string) => Promise<void>;
  podName: string;
  /** Kill the pod after this long (else the Job's activeDeadlineSeconds). */
  timeoutMs: number;
}

export interface PodRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The container's argv and env as started. */
  argv: string[];
  env: Record<string, string>;
  root: string;
}

/** Reads a key of a Secret in the fake, as the kubelet does for env and volumes. */
function secretValue(api: FakeKubeApi, namespace: string, name: string, key: string): Buffer {
  const secret = api.get({ apiVersion: 'v1', kind: 'Secret', name, namespace }) as
    { data?: Record<string, string> } | undefined;
  if (!secret) throw new Error(`CreateContainerConfigError: secret "${name}" not found`);
  const value = secret.data?.[key];
  if (value === undefined) {
    throw new Error(`CreateContainerConfigError: couldn't find key ${key} in Secret ${namespace}/${name}`);
  }
  return Buffer.from(value, 'base64');
}

function podTemplateOf(api: FakeKubeApi, options: PodRunOptions): PodTemplate & { deadline?: number } {
  const object = api.get({ apiVersion: 'batch/v1', ...options.workload, namespace: options.namespace });
  if (!object) throw new Error(`${options.workload.kind} ${options.workload.name} was not created`);
  const spec = object['spec'] as {
    template?: PodTemplate;
    activeDeadlineSeconds?: number;
    jobTemplate?: { spec: { template: PodTemplate; activeDeadlineSeconds?: number } };
  };
  const jobSpec = spec.jobTemplate?.spec ?? spec;
  if (!jobSpec.template) throw new Error('the workload has no pod template');
  return {
    ...jobSpec.template,
    ...(jobSpec.activeDeadlineSeconds !== undefined ? { deadline: jobSpec.activeDeadlineSeconds } : {}),
  };
}

export async function runJobPod(options: PodRunOptions): Promise<PodRun> {
  const { api, namespace, podName } = options;
  const template = podTemplateOf(api, options);
  const [container] = template.spec.containers;
  if (!container || template.spec.containers.length !== 1) throw new Error('expected one container');
  const root = await mkdtemp(path.join(os.tmpdir(), 'canary-pod-root-'));
  const hostPath = (mountPath: string) => path.join(root, mountPath);

  // Volumes, as mounted into the container.
  const volumes = new Map((template.spec.volumes ?? []).map((v) => [v.name, v]));
  const mounts = container.volumeMounts ?? [];
  for (const mount of mounts) {
    const volume = volumes.get(mount.name);
    if (!volume) throw new Error(`volumeMount ${mount.name} names no volume`);
    const dir = hostPath(mount.mountPath);
    await mkdir(dir, { recursive: true });
    if (volume.emptyDir !== undefined) continue;
    if (volume.secret) {
      const items = volume.secret.items;
      if (!items) throw new Error('this simulation mounts Secret volumes with items only');
      for (const item of items) {
        const file = path.join(dir, item.path);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, secretValue(api, namespace, volume.secret.secretName, item.key));
        if (mount.readOnly) await chmod(file, 0o444);
      }
      continue;
    }
    throw new Error(`volume ${volume.name}: only emptyDir and secret volumes are simulated`);
  }
  await options.prefill?.(root);

  // The service account's token, as the admission controller and kubelet mount it.
  const serviceAccountDir = hostPath(SERVICE_ACCOUNT_DIR);
  if (template.spec.automountServiceAccountToken !== false) {
    await mkdir(serviceAccountDir, { recursive: true });
    await writeFile(path.join(serviceAccountDir, 'token'), options.token);
    await writeFile(path.join(serviceAccountDir, 'ca.crt'), options.ca);
    await writeFile(path.join(serviceAccountDir, 'namespace'), namespace);
  }

  // A mount path, a path inside one, or a directory that holds mount points.
  const remap = (value: string): string => {
    const mount = [SERVICE_ACCOUNT_DIR, ...mounts.map((m) => m.mountPath)].find(
      (m) => value === m || value.startsWith(`${m}/`) || (value.startsWith('/') && m.startsWith(`${value}/`)),
    );
    return mount === undefined ? value : path.join(root, value);
  };
  const field = (fieldPath: string): string => {
    if (fieldPath === 'metadata.name') return podName;
    if (fieldPath === 'metadata.namespace') return namespace;
    throw new Error(`fieldRef ${fieldPath} is not simulated`);
  };
  const port = new URL(api.url).port;
  const env: Record<string, string> = {
    PATH: `${options.binDir}:${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOSTNAME: podName,
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: port,
    CANARY_SERVICE_ACCOUNT_DIR: serviceAccountDir,
    ...Object.fromEntries(Object.entries(options.imageEnv ?? {}).map(([k, v]) => [k, remap(v)])),
  };
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (variable.value !== undefined) env[variable.name] = remap(variable.value);
    else if (from?.fieldRef) env[variable.name] = field(from.fieldRef.fieldPath);
    else if (from?.secretKeyRef) {
      env[variable.name] = secretValue(
        api,
        namespace,
        from.secretKeyRef.name,
        from.secretKeyRef.key,
      ).toString('utf8');
    } else throw new Error(`env ${variable.name}: this source is not simulated`);
  }

  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  if (argv.length === 0) throw new Error('the container has no command (the image default is not simulated)');
  api.set({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName, namespace, labels: template.metadata?.labels ?? {} },
    spec: { containers: [{ name: container.name, image: 'simulated' }] },
    status: { phase: 'Running', startTime: new Date().toISOString() },
  });
  const workDir = hostPath('/work');
  await mkdir(workDir, { recursive: true });
  const timeoutMs = Math.min(options.timeoutMs, (template.deadline ?? Infinity) * 1000);
  const run = await spawnBounded(argv, env, workDir, timeoutMs);
  const failed = run.code !== 0;
  api.setPodLog(namespace, podName, `${run.stdout}${run.stderr}`);
  api.mutate({ apiVersion: 'v1', kind: 'Pod', name: podName, namespace }, (object) => {
    (object['status'] as { phase: string }).phase = failed ? 'Failed' : 'Succeeded';
  });
  if (options.workload.kind === 'Job') {
    api.setCondition(
      { apiVersion: 'batch/v1', kind: 'Job', name: options.workload.name, namespace },
      failed
        ? { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }
        : { type: 'Complete', status: 'True' },
    );
  }
  return { ...run, argv, env, root };
}

/** The child, killed after `timeoutMs` (as the Job's deadline would); its stdout and stderr. */
async function spawnBounded(
  argv: string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, ...args] = argv;
  // Resolved through the container's PATH, as the runtime does.
  const child = spawn(command!, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exit) => resolve(exit));
  }).finally(() => clearTimeout(timer));
  return {
    code,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
  };
}

/** A directory with `canary` running this checkout's build, as the image's PATH has it. */
export async function imageBinDir(runJs: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canary-image-bin-'));
  await symlink(runJs, path.join(dir, 'canary'));
  return dir;
}
