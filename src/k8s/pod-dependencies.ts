/**
 * What an experiment needs from the machine it runs on, besides the network: environment variables
 * that hold secrets, secret files, and other files it references (plugins, provider templates,
 * fixtures, payloads, CA files). Launch wires each into the pod or refuses by name. Pure: it reads
 * the compiled experiment only; built-in tasks' inputs are known, a plugin's are not.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import type { Experiment, TaskSpec } from '../config/experiment.js';

/** Where in the experiment a dependency is used, for messages: `tasks[1] (metrics).with.auth.bearer`. */
export interface DependencyUse {
  where: string;
}

export interface EnvSecretUse extends DependencyUse {
  variable: string;
}

/** `file` is as the experiment wrote it, relative to the experiment's directory. */
export interface FileUse extends DependencyUse {
  file: string;
  /** A recorded fixture: the template it names may be a file of its own. */
  fixture?: boolean;
  /** A plugin module (or a module it imports): its relative imports travel with it. */
  module?: boolean;
}

export interface PodDependencies {
  envSecrets: EnvSecretUse[];
  fileSecrets: FileUse[];
  /** Plain files the pod needs a copy of. */
  files: FileUse[];
  /** `run` tasks: their scripts may read any file, which launch cannot know. */
  scripts: DependencyUse[];
}

/** Keys under which a `{file}` object is a secret source, not a plain file. */
const SECRET_KEYS = new Set(['headersFrom', 'auth', 'urlFrom', 'url', 'token']);

export function findPodDependencies(experiment: Experiment): PodDependencies {
  const found: PodDependencies = { envSecrets: [], fileSecrets: [], files: [], scripts: [] };
  for (const [name, file] of Object.entries(experiment.spec.plugins ?? {})) {
    found.files.push({ file, where: `spec.plugins.${name}`, module: true });
  }
  experiment.spec.tasks.forEach((task, index) => {
    const label = `tasks[${index}] (${task.id})`;
    if (task.task === 'run') found.scripts.push({ where: `${label}.with.script` });
    if (task.task === 'custommetrics') findTemplateFiles(task, label, found);
    if (task.task === 'custommetrics' || task.task === 'http' || task.task === 'notify') {
      walkInput(task.with, [], label, found);
    }
  });
  return found;
}

function findTemplateFiles(task: TaskSpec, label: string, found: PodDependencies): void {
  const templates = task.with['templates'];
  if (typeof templates !== 'object' || templates === null) return;
  for (const [provider, reference] of Object.entries(templates as Record<string, unknown>)) {
    const where = `${label}.with.templates.${provider}`;
    if (typeof reference === 'string') {
      if (/^(builtin:|https?:\/\/)/.test(reference)) continue;
      const fixture = reference.startsWith('fixture:');
      found.files.push({ file: reference.replace(/^fixture:/, ''), where, ...(fixture ? { fixture } : {}) });
    }
    const object = reference as { file?: unknown; fixture?: unknown } | null;
    if (typeof object?.file === 'string') found.files.push({ file: object.file, where });
    if (typeof object?.fixture === 'string') found.files.push({ file: object.fixture, where, fixture: true });
  }
}

/** Secret sources (`{env}`, `{file}` under a secret key), payload and template `{file}`s, payloadFile, tls.ca. */
function walkInput(value: unknown, at: string[], label: string, found: PodDependencies): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walkInput(item, [...at, `[${i}]`], label, found));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const where = `${label}.with${at.map((k) => (k.startsWith('[') ? k : `.${k}`)).join('')}`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const only = (...allowed: string[]) => keys.every((k) => allowed.includes(k));
  if (typeof record['env'] === 'string' && only('env', 'prefix')) {
    found.envSecrets.push({ variable: record['env'], where });
    return;
  }
  if (typeof record['file'] === 'string' && only('file', 'prefix')) {
    const secret = at.some((k) => SECRET_KEYS.has(k));
    (secret ? found.fileSecrets : found.files).push({ file: record['file'], where });
    return;
  }
  for (const [key, child] of Object.entries(record)) {
    if (key === 'templates' && at.length === 0) continue; // findTemplateFiles
    if (typeof child === 'string' && (key === 'payloadFile' || (key === 'ca' && at.at(-1) === 'tls'))) {
      found.files.push({ file: child, where: `${where}.${key}` });
    }
    walkInput(child, [...at, key], label, found);
  }
}

/**
 * The template file a recorded fixture names (relative to the fixture), as a path relative to the
 * experiment; undefined for builtin and URL templates, or a fixture that does not parse.
 */
export function fixtureTemplateFile(fixturePath: string, fixtureText: string): string | undefined {
  let template: unknown;
  try {
    template = (JSON.parse(fixtureText) as { template?: unknown }).template;
  } catch {
    return undefined; // validation reports a broken fixture
  }
  const file =
    typeof template === 'string'
      ? /^(builtin:|https?:\/\/|fixture:)/.test(template)
        ? undefined
        : template
      : (template as { file?: unknown } | null)?.file;
  if (typeof file !== 'string' || path.isAbsolute(file)) return undefined;
  return path.posix.join(path.posix.dirname(fixturePath.replaceAll('\\', '/')), file.replaceAll('\\', '/'));
}

/**
 * What a plugin module imports, from its source: relative paths (made relative to the experiment)
 * travel with it; packages other than Node's own must be in the image.
 */
export function moduleImports(modulePath: string, source: string): { files: string[]; packages: string[] } {
  const files: string[] = [];
  const packages: string[] = [];
  const specifiers = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;
  for (const match of source.matchAll(specifiers)) {
    const specifier = match[2]!;
    if (specifier.startsWith('./') || specifier.startsWith('../')) {
      files.push(path.posix.join(path.posix.dirname(modulePath), specifier));
    } else if (
      !specifier.startsWith('node:') &&
      !specifier.startsWith('/') &&
      !builtinModules.includes(specifier)
    ) {
      packages.push(specifier);
    }
  }
  return { files, packages };
}

/** A path relative to the experiment's directory with `/` separators, or why it cannot travel. */
export function portablePath(file: string): { path: string } | { problem: string } {
  if (path.isAbsolute(file) || /^[A-Za-z]:[\\/]/.test(file)) {
    return { problem: 'an absolute path: the pod has no such file; make it relative to the experiment' };
  }
  return { path: path.posix.normalize(file.replaceAll('\\', '/')) };
}

/** How many directories above the experiment's the deepest `../` path reaches. */
export function depthAbove(paths: readonly string[]): number {
  let depth = 0;
  for (const p of paths) {
    const ups = p.split('/').findIndex((segment) => segment !== '..');
    depth = Math.max(depth, ups === -1 ? p.split('/').length : ups);
  }
  return depth;
}
