import path from 'node:path';
import { stringify } from 'yaml';
import { ExperimentSchema } from './experiment-schema.js';
import { defaultConcurrency, type Experiment, type TaskSpec } from './experiment.js';
import { formatPath, hasErrors, sortDiagnostics, type Diagnostic, type PathSegment } from './diagnostics.js';
import { readYamlSource, type YamlSource } from './yaml-source.js';
import { readTextFile } from './read-text-file.js';
import { checkAgainstSchema } from './schema-check.js';
import {
  cleanTemplateError,
  createTemplateEnvironment,
  hasTemplateSyntax,
  renderScalar,
} from './expressions.js';
import { experimentFromValues } from './from-values.js';
import { fromIter8Shape, isIter8Shaped } from './iter8-shape.js';
import { checkRules, type At, type RawExperiment, type RawTask } from './rules.js';
import { compilePlan, type Plan } from '../plan/plan.js';
import { createRegistry, type TaskRegistry } from '../tasks/registry.js';
import { loadPlugins } from '../tasks/load-plugins.js';

export type { At } from './rules.js';

export interface ExperimentRequest {
  /** Path as the user gave it; absent: build the experiment from values (Iter8 chart style). */
  file?: string;
  cwd: string;
  /** Merged `-f` files and `--set` values. */
  values?: Record<string, unknown>;
  /** Environment for tasks' checks (template cache, offline mode); default none. */
  env?: Readonly<Record<string, string | undefined>>;
  /** False: plugin modules are not imported (validate --no-plugins); their tasks' inputs go unchecked. */
  importPlugins?: boolean;
  /** Experiment name for files without metadata (Iter8's shape); default: from the file name. */
  name?: string;
}

export interface LoadedExperiment {
  /** Present when there are no errors. */
  experiment?: Experiment;
  plan?: Plan;
  registry: TaskRegistry;
  diagnostics: Diagnostic[];
  /** Label used in diagnostics: the file, or `--set` for values-only experiments. */
  label: string;
  sourceLines: string[];
  experimentDir: string;
}

/**
 * read -> render expressions -> schema -> normalize -> plugins -> rules -> plan. Each stage adds
 * diagnostics; the first stage with errors stops the pipeline, so later stages see valid input.
 */
export async function loadExperiment(request: ExperimentRequest): Promise<LoadedExperiment> {
  const values = request.values ?? {};
  const source = await readSource(request, values);
  const result: LoadedExperiment = {
    registry: createRegistry(),
    diagnostics: source.diagnostics,
    label: source.label,
    sourceLines: source.yaml?.text.split('\n') ?? [],
    experimentDir: source.experimentDir,
  };
  const yaml = source.yaml;
  if (!yaml || hasErrors(result.diagnostics)) return finish(result);

  const at = (
    p: PathSegment[],
    message: string,
    extra: Partial<Diagnostic> = {},
    key = false,
  ): Diagnostic => ({
    severity: 'error',
    file: source.label,
    ...(source.positioned ? yaml.positionOf(p, { key }) : { line: 0, column: 0 }),
    path: formatPath(p),
    message,
    ...extra,
  });

  // Plugins load before the rest renders: the strings a task renders itself at run time, which
  // rendering must leave alone, are part of its definition, a plugin's as much as a built-in's.
  const pluginSection = renderExpressions(pluginsSection(yaml.value), values, at, ['spec', 'plugins']);
  result.diagnostics.push(...pluginSection.diagnostics);
  if (hasErrors(result.diagnostics)) return finish(result);
  const plugins = await loadPlugins(stringEntries(pluginSection.value), source.experimentDir, {
    importModules: request.importPlugins !== false,
  });
  for (const problem of plugins.problems) {
    result.diagnostics.push(
      at(['spec', 'plugins', problem.name], problem.message, {
        ...(problem.hint ? { hint: problem.hint } : {}),
        ...(problem.severity ? { severity: problem.severity } : {}),
      }),
    );
  }
  result.registry = createRegistry(plugins.definitions);

  const rendered = renderDocument(yaml.value, values, at, result.registry, pluginSection.value);
  result.diagnostics.push(...rendered.diagnostics);
  if (hasErrors(result.diagnostics)) return finish(result);

  const shapeProblems = checkAgainstSchema(ExperimentSchema, rendered.value);
  for (const problem of shapeProblems) {
    result.diagnostics.push(
      at(problem.path, problem.message, problem.hint ? { hint: problem.hint } : {}, problem.atKey),
    );
  }
  // Rules still run on the parts whose shape is right, so one pass shows every problem.
  const raw =
    shapeProblems.length === 0 ? (rendered.value as RawExperiment) : wellShapedParts(rendered.value);
  // A rule problem under a value the schema already rejected would say the same thing twice.
  const flagged = result.diagnostics
    .filter((d) => !d.message.startsWith('missing required key'))
    .map((d) => d.path);
  const experiment = normalizeExperiment(raw);

  const ruleProblems = await checkRules({
    experiment,
    raw,
    registry: result.registry,
    checkContext: { experimentDir: source.experimentDir, env: request.env ?? {} },
    values,
    at,
  });
  result.diagnostics.push(
    ...ruleProblems.filter(
      (d) => !flagged.some((p) => d.path === p || d.path.startsWith(`${p}.`) || d.path.startsWith(`${p}[`)),
    ),
  );
  if (hasErrors(result.diagnostics)) return finish(result);

  result.experiment = experiment;
  result.plan = compilePlan(experiment);
  return finish(result);
}

function finish(result: LoadedExperiment): LoadedExperiment {
  result.diagnostics = sortDiagnostics(result.diagnostics);
  return result;
}

interface Source {
  label: string;
  yaml?: YamlSource;
  /** False for documents generated from values: their line numbers mean nothing to the user. */
  positioned: boolean;
  experimentDir: string;
  diagnostics: Diagnostic[];
}

async function readSource(request: ExperimentRequest, values: Record<string, unknown>): Promise<Source> {
  if (request.file === undefined) {
    const built = experimentFromValues(values, request.name);
    const diagnostics: Diagnostic[] = built.problems.map((message) => ({
      severity: 'error',
      file: '--set',
      line: 0,
      column: 0,
      path: '',
      message,
    }));
    for (const note of built.notes) {
      diagnostics.push({ severity: 'warning', file: '--set', line: 0, column: 0, path: '', message: note });
    }
    const yaml = readYamlSource('--set', stringify(built.experiment));
    return { label: '--set', yaml, positioned: false, experimentDir: request.cwd, diagnostics };
  }
  const absolute = path.resolve(request.cwd, request.file);
  const read = await readTextFile(absolute);
  if (!read.ok) {
    // Problems in the content (binary, encoding) have a place in it; problems with the file do not.
    const where = read.position ?? { line: 0, column: 0 };
    return {
      label: request.file,
      positioned: false,
      experimentDir: path.dirname(absolute),
      diagnostics: [
        {
          severity: 'error',
          file: request.file,
          ...where,
          path: '',
          message: read.message,
          ...(read.hint !== undefined ? { hint: read.hint } : {}),
        },
      ],
    };
  }
  const text = read.text;
  const parsed = readYamlSource(request.file, text);
  const diagnostics = [...parsed.diagnostics];
  const yaml = isIter8Shaped(parsed.value)
    ? readIter8Source(parsed, experimentNameFor(request.file, request.name), diagnostics)
    : parsed;
  if (
    diagnostics.length === 0 &&
    (yaml.value === null || typeof yaml.value !== 'object' || Array.isArray(yaml.value))
  ) {
    diagnostics.push({
      severity: 'error',
      file: request.file,
      line: 1,
      column: 1,
      path: '',
      message: 'an experiment file is a YAML map (apiVersion, kind, metadata, spec)',
      hint: 'start from experiments/ in the canary repository, or run `canary validate --help`',
    });
  }
  return { label: request.file, yaml, positioned: true, experimentDir: path.dirname(absolute), diagnostics };
}

/**
 * An Iter8-shaped file as a canary/v1 document whose positions are still those of the file;
 * its notes (an ignored `result`) join the diagnostics as warnings.
 */
function readIter8Source(parsed: YamlSource, name: string, diagnostics: Diagnostic[]): YamlSource {
  const converted = fromIter8Shape(parsed.value as Record<string, unknown>, name);
  for (const note of converted.notes) {
    diagnostics.push({
      severity: 'warning',
      file: parsed.file,
      ...parsed.positionOf(note.path, { key: note.atKey ?? false }),
      path: formatPath(note.path),
      message: note.message,
      ...(note.hint !== undefined ? { hint: note.hint } : {}),
    });
  }
  return {
    ...parsed,
    value: converted.value,
    positionOf: (p, options) => parsed.positionOf(converted.originalPath(p), options),
  };
}

/** `--name`, else the file's base name made a valid experiment name (`experiment_db.yaml`: experiment-db). */
export function experimentNameFor(file: string, name: string | undefined): string {
  if (name !== undefined) return name;
  const base = path
    .basename(file)
    .replace(/\.(ya?ml|tpl)$/i, '')
    .toLowerCase()
    .replace(/[^-a-z0-9.]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 63)
    .replace(/[^a-z0-9]+$/, '');
  return base === '' ? 'experiment' : base;
}

/**
 * A document with its load-time expressions rendered (what the schema checks), `spec.plugins`
 * replaced by its rendered section; `if:` conditions and the tasks' run-time templates (see
 * TaskDefinition.runTimeTemplates) are left for run time.
 */
export function renderDocument(
  document: unknown,
  values: Record<string, unknown>,
  at: At,
  registry: TaskRegistry,
  renderedPlugins: unknown,
): { value: unknown; diagnostics: Diagnostic[] } {
  const leaveAlone = (p: readonly PathSegment[]) =>
    (p.length === 2 && p[0] === 'spec' && p[1] === 'plugins') || isRunTimeTemplate(document, p, registry);
  const rendered = renderExpressions(document, values, at, [], leaveAlone);
  const value = rendered.value;
  if (isRecord(value) && isRecord(value.spec) && Object.hasOwn(value.spec, 'plugins')) {
    return { ...rendered, value: { ...value, spec: { ...value.spec, plugins: renderedPlugins } } };
  }
  return rendered;
}

/** Render nunjucks expressions in the string scalars of `value`, found at path `base`. */
function renderExpressions(
  value: unknown,
  values: Record<string, unknown>,
  at: At,
  base: PathSegment[],
  leaveAlone: (p: readonly PathSegment[]) => boolean = () => false,
): { value: unknown; diagnostics: Diagnostic[] } {
  const environment = createTemplateEnvironment();
  const diagnostics: Diagnostic[] = [];
  const context = { values };
  const walk = (node: unknown, p: PathSegment[]): unknown => {
    if (leaveAlone(p)) return node;
    if (typeof node === 'string') {
      if (!hasTemplateSyntax(node)) return node;
      try {
        return renderScalar(environment, node, context);
      } catch (error) {
        diagnostics.push(
          at(p, `template: ${cleanTemplateError(error)}`, {
            hint: 'expressions read `values`, set with --set key=value or -f values.yaml',
          }),
        );
        return node;
      }
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...p, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child, [...p, key])]));
    }
    return node;
  };
  return { value: walk(value, base), diagnostics };
}

function pluginsSection(document: unknown): unknown {
  return isRecord(document) && isRecord(document.spec) ? document.spec.plugins : undefined;
}

/** The well-formed entries of a `spec.plugins` map (the schema reports the others). */
function stringEntries(section: unknown): Record<string, string> {
  if (!isRecord(section)) return {};
  return Object.fromEntries(
    Object.entries(section).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/**
 * The parts of a document that failed the schema, reduced to what the rules can read safely:
 * tasks that are maps, string fields that are strings. Only used to find more problems.
 */
function wellShapedParts(value: unknown): RawExperiment {
  const document = isRecord(value) ? value : {};
  const spec = isRecord(document.spec) ? document.spec : {};
  const metadata = isRecord(document.metadata) ? document.metadata : {};
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const tasks = (Array.isArray(spec.tasks) ? spec.tasks : []).map((t): RawTask => {
    const task = isRecord(t) ? t : {};
    const needs = Array.isArray(task.needs)
      ? task.needs.filter((n): n is string => typeof n === 'string')
      : undefined;
    return {
      ...(text(task.id) !== undefined ? { id: text(task.id) } : {}),
      ...(text(task.task) !== undefined ? { task: text(task.task) } : {}),
      ...(text(task.run) !== undefined ? { run: text(task.run) } : {}),
      ...(isRecord(task.with) ? { with: task.with } : {}),
      ...(needs ? { needs } : {}),
      ...(text(task.if) !== undefined ? { if: text(task.if) } : {}),
    };
  });
  const plugins = isRecord(spec.plugins)
    ? Object.fromEntries(Object.entries(spec.plugins).filter(([, v]) => typeof v === 'string'))
    : undefined;
  return {
    metadata: { name: text(metadata.name) ?? 'invalid' },
    spec: {
      ...(text(spec.schedule) !== undefined ? { schedule: text(spec.schedule) } : {}),
      ...(typeof spec.maxLoops === 'number' ? { maxLoops: spec.maxLoops } : {}),
      ...(plugins ? { plugins: plugins as Record<string, string> } : {}),
      tasks,
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Strings a task renders itself when it runs (a notification's payload reads the report), which
 * load-time rendering with `values` must leave alone; `if:` conditions likewise.
 */
function isRunTimeTemplate(document: unknown, p: readonly PathSegment[], registry: TaskRegistry): boolean {
  if (p.length < 4 || p[0] !== 'spec' || p[1] !== 'tasks' || typeof p[2] !== 'number') return false;
  if (p.length === 4 && p[3] === 'if') return true;
  if (p[3] !== 'with') return false;
  const tasks = isRecord(document) && isRecord(document.spec) ? document.spec.tasks : undefined;
  const task = Array.isArray(tasks) ? tasks[p[2]] : undefined;
  const name = isRecord(task) && typeof task.task === 'string' ? task.task : undefined;
  const definition = name !== undefined ? registry.get(name) : undefined;
  const rest = p.slice(4);
  return (definition?.runTimeTemplates ?? []).some(
    (path) => path.length === rest.length && path.every((segment, i) => segment === rest[i]),
  );
}

/** Defaults and shorthands: ids, implicit sequential dependencies, Iter8's `run:` shorthand. */
export function normalizeExperiment(raw: RawExperiment): Experiment {
  const names = raw.spec.tasks.map((t) => taskName(t));
  const repeated = new Set(names.filter((n, i) => names.indexOf(n) !== i));
  const occurrence = new Map<string, number>();
  const tasks: TaskSpec[] = [];
  raw.spec.tasks.forEach((t, i) => {
    const name = names[i]!;
    const count = (occurrence.get(name) ?? 0) + 1;
    occurrence.set(name, count);
    const id = t.id ?? (repeated.has(name) ? `${name}-${count}` : name);
    const input = t.run !== undefined && t.task === undefined ? { script: t.run, ...t.with } : { ...t.with };
    tasks.push({
      id,
      task: name,
      with: input,
      needs: t.needs ?? (i > 0 ? [tasks[i - 1]!.id] : []),
      ...(t.if !== undefined ? { if: t.if } : {}),
      ...(t.timeout !== undefined ? { timeout: t.timeout } : {}),
      ...(t.retries !== undefined ? { retries: t.retries } : {}),
    });
  });
  const { schedule, maxLoops, retention, versions, plugins, concurrency } = raw.spec;
  return {
    apiVersion: 'canary/v1',
    kind: 'Experiment',
    metadata: { ...raw.metadata },
    spec: {
      ...(schedule !== undefined ? { schedule } : {}),
      ...(maxLoops !== undefined ? { maxLoops } : {}),
      ...(retention !== undefined ? { retention } : {}),
      ...(versions !== undefined ? { versions } : {}),
      concurrency: concurrency ?? defaultConcurrency,
      ...(plugins !== undefined ? { plugins } : {}),
      tasks,
    },
  };
}

function taskName(task: RawTask): string {
  return task.task ?? (task.run !== undefined ? 'run' : '');
}
