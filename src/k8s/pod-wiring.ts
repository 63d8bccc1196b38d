/**
 * Turns an experiment's local dependencies (pod-dependencies.ts) into what its pod gets: secret
 * environment variables as `secretKeyRef`s, secret files as read-only Secret volumes, and every
 * other referenced file as a copy in the experiment Secret. Anything that cannot be wired stops
 * the launch (exit 3), naming each variable or file and the flag that fixes it.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Experiment } from '../config/experiment.js';
import { CanaryError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { SECRET_FILES_DIR, SECRET_FILES_ENV, type PodLayout } from './pod-files.js';
import {
  depthAbove,
  findPodDependencies,
  fixtureTemplateFile,
  moduleImports,
  portablePath,
  type PodDependencies,
} from './pod-dependencies.js';

export type { PodLayout } from './pod-files.js';

/** A key of a Kubernetes Secret in the experiment's namespace. */
export interface SecretKeyRef {
  secret: string;
  key: string;
}

/** The API server's limit on a Secret's data (keys plus decoded values). */
export const SECRET_DATA_LIMIT = 1024 * 1024;
/** Experiment Secret keys of carried files: `file-0`, `file-1`... */
const carriedKeyPrefix = 'file-';

export interface PodWiring {
  layout: PodLayout;
  /** Experiment Secret data besides the experiment: carried files, base64. */
  data: Record<string, string>;
  /** Container env entries for secret variables (plus CANARY_SECRET_FILES_DIR when files are mounted). */
  env: Record<string, unknown>[];
  volumes: Record<string, unknown>[];
  volumeMounts: Record<string, unknown>[];
  /** What launch tells the user, as lines: one per wired dependency, plus warnings. */
  report: string[];
  warnings: string[];
}

export interface WirePodRequest {
  experiment: Experiment;
  experimentDir: string;
  secretEnv: Readonly<Record<string, SecretKeyRef>>;
  secretFiles: Readonly<Record<string, SecretKeyRef>>;
}

/** Nothing wired: an experiment without secrets or files. */
export function emptyWiring(): PodWiring {
  return {
    layout: { depth: 0, files: [], secretFiles: [] },
    data: {},
    env: [],
    volumes: [],
    volumeMounts: [],
    report: [],
    warnings: [],
  };
}

export async function wirePod(request: WirePodRequest): Promise<PodWiring> {
  const dependencies = findPodDependencies(request.experiment);
  const problems: string[] = [];
  const wiring = emptyWiring();
  wireEnvSecrets(dependencies, request.secretEnv, wiring, problems);
  wireFileSecrets(dependencies, request.secretFiles, wiring, problems);
  await carryFiles(dependencies, request.experimentDir, wiring, problems);
  for (const script of dependencies.scripts) {
    wiring.warnings.push(
      `${script.where}: a run script's own files are not carried into the pod; the image must hold them`,
    );
  }
  if (problems.length > 0) {
    throw new CanaryError(`the pod cannot run this experiment as it is:\n  ${problems.join('\n  ')}`, {
      exitCode: ExitCode.invalidExperiment,
      hints: ['each line says what to add to `canary k launch`, or what to change in the experiment'],
    });
  }
  wiring.layout.depth = depthAbove([
    ...wiring.layout.files.map((f) => f.path),
    ...wiring.layout.secretFiles.map((f) => f.path),
  ]);
  return wiring;
}

function wireEnvSecrets(
  dependencies: PodDependencies,
  mapping: Readonly<Record<string, SecretKeyRef>>,
  wiring: PodWiring,
  problems: string[],
): void {
  const seen = new Set<string>();
  for (const use of dependencies.envSecrets) {
    if (seen.has(use.variable)) continue;
    seen.add(use.variable);
    const ref = mapping[use.variable];
    if (!ref) {
      problems.push(
        `environment variable ${use.variable} (${use.where}) has no Secret: add --secret-env ${use.variable}=<secret>/<key>`,
      );
      continue;
    }
    wiring.env.push({ name: use.variable, valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } } });
    wiring.report.push(`env ${use.variable} from secret ${ref.secret}, key ${ref.key}`);
  }
  for (const variable of Object.keys(mapping)) {
    if (!seen.has(variable))
      wiring.warnings.push(`--secret-env ${variable}: the experiment does not read it`);
  }
}

function wireFileSecrets(
  dependencies: PodDependencies,
  mapping: Readonly<Record<string, SecretKeyRef>>,
  wiring: PodWiring,
  problems: string[],
): void {
  const byPath = new Map(Object.entries(mapping).map(([file, ref]) => [normalized(file), { file, ref }]));
  const seen = new Set<string>();
  for (const use of dependencies.fileSecrets) {
    const portable = portablePath(use.file);
    if ('problem' in portable) {
      problems.push(`secret file ${use.file} (${use.where}) is ${portable.problem}`);
      continue;
    }
    if (seen.has(portable.path)) continue;
    seen.add(portable.path);
    const mapped = byPath.get(portable.path);
    if (!mapped) {
      problems.push(
        `secret file ${use.file} (${use.where}) has no Secret: add --secret-file ${use.file}=<secret>/<key>`,
      );
      continue;
    }
    const index = wiring.volumes.length;
    const volume = `secret-file-${index}`;
    wiring.volumes.push({
      name: volume,
      secret: { secretName: mapped.ref.secret, items: [{ key: mapped.ref.key, path: 'value' }] },
    });
    wiring.volumeMounts.push({ name: volume, mountPath: `${SECRET_FILES_DIR}/${index}`, readOnly: true });
    wiring.layout.secretFiles.push({ path: portable.path, mounted: `${index}/value` });
    wiring.report.push(
      `file ${use.file} from secret ${mapped.ref.secret}, key ${mapped.ref.key} (mounted read-only)`,
    );
  }
  if (wiring.volumes.length > 0) wiring.env.push({ name: SECRET_FILES_ENV, value: SECRET_FILES_DIR });
  for (const [file] of Object.entries(mapping)) {
    if (!seen.has(normalized(file)))
      wiring.warnings.push(`--secret-file ${file}: the experiment does not read it`);
  }
}

async function carryFiles(
  dependencies: PodDependencies,
  experimentDir: string,
  wiring: PodWiring,
  problems: string[],
): Promise<void> {
  const seen = new Set<string>();
  const files = [...dependencies.files];
  for (const use of files) {
    const portable = portablePath(use.file);
    if ('problem' in portable) {
      problems.push(`file ${use.file} (${use.where}) is ${portable.problem}`);
      continue;
    }
    if (seen.has(portable.path)) continue;
    seen.add(portable.path);
    const absolute = path.resolve(experimentDir, portable.path);
    const info = await stat(absolute).catch(() => undefined);
    if (!info?.isFile()) {
      problems.push(`file ${use.file} (${use.where}) is not a readable file (${absolute})`);
      continue;
    }
    const key = `${carriedKeyPrefix}${wiring.layout.files.length}`;
    const content = await readFile(absolute);
    wiring.data[key] = content.toString('base64');
    const template = use.fixture ? fixtureTemplateFile(portable.path, content.toString('utf8')) : undefined;
    if (template !== undefined)
      files.push({ file: template, where: `${use.where} (the fixture's template)` });
    if (use.module) {
      const imports = moduleImports(portable.path, content.toString('utf8'));
      for (const file of imports.files) files.push({ file, where: `${use.where} (imported)`, module: true });
      for (const name of imports.packages) {
        wiring.warnings.push(`${use.where} imports package ${name}: the image must provide it`);
      }
    }
    wiring.layout.files.push({ path: portable.path, key });
    wiring.report.push(`file ${use.file} carried in the experiment Secret (${formatBytes(info.size)})`);
  }
}

/** Refuses a Secret whose data the API server would refuse, naming the largest parts. */
export function checkSecretSize(
  name: string,
  data: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): void {
  const sizes = Object.entries(data).map(([key, base64]) => ({
    key,
    bytes: key.length + Buffer.byteLength(base64, 'base64'),
  }));
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  if (total <= SECRET_DATA_LIMIT) return;
  const largest = sizes
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5)
    .map((s) => `${labels[s.key] ?? s.key} ${formatBytes(s.bytes)}`);
  throw new CanaryError(
    `secret ${name} would hold ${formatBytes(total)}, over Kubernetes' limit of ${formatBytes(SECRET_DATA_LIMIT)} per Secret (largest: ${largest.join(', ')})`,
    {
      exitCode: ExitCode.invalidExperiment,
      hints: [
        'carried files (plugins, templates, fixtures, payloads) travel in this Secret: make them smaller',
        'or build them into the image and reference them by an absolute path the image holds',
      ],
    },
  );
}

/** `VAR=secret/key` (--secret-env) or `PATH=secret/key` (--secret-file). */
export function parseSecretMappings(flag: string, entries: readonly string[]): Record<string, SecretKeyRef> {
  const mappings: Record<string, SecretKeyRef> = {};
  for (const entry of entries) {
    const match = /^([^=]+)=([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/([-._a-zA-Z0-9]+)$/.exec(entry);
    if (!match) {
      throw new UsageError(`--${flag} ${JSON.stringify(entry)}: expected NAME=SECRET/KEY`, [
        `e.g. --${flag} ${flag === 'secret-env' ? 'PROM_TOKEN' : './token'}=prom-creds/token (a Secret in the experiment's namespace)`,
      ]);
    }
    mappings[match[1]!] = { secret: match[2]!, key: match[4]! };
  }
  return mappings;
}

function normalized(file: string): string {
  const portable = portablePath(file);
  return 'path' in portable ? portable.path : file;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
