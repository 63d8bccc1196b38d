import path from 'node:path';
import { defaultCacheDir } from '../../util/cache-dir.js';
import {
  loadTemplateSource,
  parseReferenceString,
  TemplateSourceError,
  type TemplateReference,
  type TemplateSource,
} from '../../metrics/templates/template-source.js';
import {
  compileProvider,
  TemplateRenderError,
  type CompiledProvider,
} from '../../metrics/templates/render-provider.js';
import type { ProviderSpec } from '../../metrics/provider-spec.js';
import { FixtureReplay } from '../../metrics/fixtures/fixture-replay.js';
import { FixtureError, fixturePathOf, loadFixture } from '../../metrics/fixtures/load-fixture.js';
import type { CustomMetricsInput } from './custommetrics-input.js';
import { elapsedSeconds, valuesForVersion, versionCountOf } from './version-values.js';

/** Each URL template is fetched once per process (a run), however many loops and checks ask. */
const fetchedThisRun = new Map<string, Promise<TemplateSource>>();

export interface ProviderContext {
  experimentDir: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** A template that could not be loaded, compiled or rendered, said with its name and line. */
export class ProviderProblem extends Error {
  constructor(
    readonly templateName: string,
    message: string,
    readonly hint?: string,
    /** The template could not be fetched here: unchecked, not known to be wrong. */
    readonly unreachable = false,
  ) {
    super(message);
    this.name = 'ProviderProblem';
  }
}

/** A compiled template; with `replay`, its queries are answered from a recorded fixture. */
export type TaskProvider = CompiledProvider & { replay?: FixtureReplay };

export async function compileProviders(
  input: CustomMetricsInput,
  context: ProviderContext,
): Promise<Map<string, TaskProvider>> {
  const entries = await Promise.all(
    Object.entries(input.templates).map(
      async ([name, reference]) =>
        [name, await compileOne(name, reference as TemplateReference, context)] as const,
    ),
  );
  return new Map(entries);
}

/** Like compileProviders, but a broken template does not hide the others (for validation). */
export async function compileEachProvider(
  input: CustomMetricsInput,
  context: ProviderContext,
): Promise<{ providers: Map<string, TaskProvider>; problems: ProviderProblem[] }> {
  const providers = new Map<string, TaskProvider>();
  const problems: ProviderProblem[] = [];
  for (const [name, reference] of Object.entries(input.templates)) {
    try {
      providers.set(name, await compileOne(name, reference as TemplateReference, context));
    } catch (error) {
      if (!(error instanceof ProviderProblem)) throw error;
      problems.push(error);
    }
  }
  return { providers, problems };
}

async function compileOne(
  name: string,
  reference: TemplateReference,
  context: ProviderContext,
): Promise<TaskProvider> {
  const fixturePath = fixturePathOf(reference);
  if (fixturePath !== undefined) return compileFixture(name, fixturePath, context);
  const source = await loadSource(name, reference, context.experimentDir, context, '');
  try {
    return compileProvider(source, name);
  } catch (error) {
    throw describeRenderError(name, source, error);
  }
}

async function loadSource(
  name: string,
  reference: TemplateReference,
  baseDir: string,
  context: ProviderContext,
  via: string,
): Promise<TemplateSource> {
  try {
    return await loadTemplateSource(reference, {
      experimentDir: baseDir,
      cacheDir: path.resolve(context.experimentDir, defaultCacheDir(context.env)),
      memory: fetchedThisRun,
      offline: context.env.CANARY_OFFLINE === '1' || context.env.CANARY_OFFLINE === 'true',
      env: context.env,
    });
  } catch (error) {
    if (error instanceof TemplateSourceError)
      throw new ProviderProblem(
        name,
        `template ${name}${via}: ${error.message}`,
        error.hint,
        error.unreachable,
      );
    throw error;
  }
}

/** `fixture:PATH`: the recorded template, rendered as usual, its queries answered from the file. */
async function compileFixture(
  name: string,
  fixturePath: string,
  context: ProviderContext,
): Promise<TaskProvider> {
  let replay: FixtureReplay;
  try {
    replay = new FixtureReplay(await loadFixture(fixturePath, context.experimentDir));
  } catch (error) {
    if (error instanceof FixtureError)
      throw new ProviderProblem(name, `template ${name}: ${error.message}`, error.hint);
    throw error;
  }
  const { fixture, file } = replay.loaded;
  const via = ` (recorded in ${fixturePath})`;
  if (fixturePathOf(fixture.template) !== undefined)
    throw new ProviderProblem(
      name,
      `template ${name}${via}: a fixture cannot name another fixture as its template`,
    );
  // File templates are named relative to the fixture; messages name them relative to the experiment.
  const fixtureDir = path.dirname(file);
  const loaded = await loadSource(name, fixture.template as TemplateReference, fixtureDir, context, via);
  const source = isFileReference(fixture.template)
    ? { ...loaded, origin: path.relative(context.experimentDir, path.resolve(fixtureDir, loaded.origin)) }
    : loaded;
  try {
    return { ...compileProvider(source, name), replay }; // the compiled template is shared: not mutated
  } catch (error) {
    throw describeRenderError(name, source, error);
  }
}

function isFileReference(reference: unknown): boolean {
  return typeof reference === 'string'
    ? 'file' in parseReferenceString(reference)
    : typeof reference === 'object' && reference !== null && 'file' in reference;
}

export interface RenderedProvider {
  version: number;
  templateName: string;
  spec: ProviderSpec;
  /** What the template was rendered with (fixtures record it). */
  elapsedTimeSeconds: number;
  /** Set when the answers come from a fixture. */
  replay?: FixtureReplay;
}

/**
 * Render every template for every version, with that version's values and elapsed time as of `now`
 * (the evaluation time); a fixture's template with the recorded elapsed time, so it asks what was recorded.
 */
export function renderProviders(
  providers: ReadonlyMap<string, TaskProvider>,
  input: CustomMetricsInput,
  experimentStart: Date,
  now: Date,
): RenderedProvider[] {
  const rendered: RenderedProvider[] = [];
  for (let version = 0; version < versionCountOf(input.versionValues); version++) {
    const values = valuesForVersion(input.values, input.versionValues, version);
    const live = elapsedSeconds(values, experimentStart, now);
    for (const [templateName, provider] of providers) {
      const elapsed = provider.replay?.elapsedSeconds(version) ?? live;
      try {
        rendered.push({
          version,
          templateName,
          spec: provider.render(values, elapsed, now).spec,
          elapsedTimeSeconds: elapsed,
          ...(provider.replay ? { replay: provider.replay } : {}),
        });
      } catch (error) {
        throw describeRenderError(templateName, provider.source, error, version);
      }
    }
  }
  return rendered;
}

function describeRenderError(
  name: string,
  source: TemplateSource,
  error: unknown,
  version?: number,
): unknown {
  if (!(error instanceof TemplateRenderError)) return error;
  const forVersion = version === undefined ? '' : `, version ${version}`;
  const where =
    error.line === undefined ? '' : `:${error.line}${error.column === undefined ? '' : `:${error.column}`}`;
  return new ProviderProblem(
    name,
    `template ${name} (${source.origin}${where})${forVersion}: ${error.reason}`,
  );
}

/** Line of `name: <metric>` in the template source, when the name is written literally there. */
export function lineOfMetric(source: TemplateSource, metricName: string): number | undefined {
  const lines = source.text.split('\n');
  const index = lines.findIndex((line) =>
    new RegExp(`^\\s*-?\\s*name:\\s*["']?${escapeRegExp(metricName)}["']?\\s*$`).test(line),
  );
  return index >= 0 ? index + 1 : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
