import path from 'node:path';
import {
  defaultCacheDir,
  loadTemplateSource,
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
  ) {
    super(message);
    this.name = 'ProviderProblem';
  }
}

export async function compileProviders(
  input: CustomMetricsInput,
  context: ProviderContext,
): Promise<Map<string, CompiledProvider>> {
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
): Promise<{ providers: Map<string, CompiledProvider>; problems: ProviderProblem[] }> {
  const providers = new Map<string, CompiledProvider>();
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
): Promise<CompiledProvider> {
  let source: TemplateSource;
  try {
    source = await loadTemplateSource(reference, {
      experimentDir: context.experimentDir,
      cacheDir: path.resolve(context.experimentDir, defaultCacheDir(context.env)),
      memory: fetchedThisRun,
      offline: context.env.CANARY_OFFLINE === '1' || context.env.CANARY_OFFLINE === 'true',
    });
  } catch (error) {
    if (error instanceof TemplateSourceError)
      throw new ProviderProblem(name, `template ${name}: ${error.message}`, error.hint);
    throw error;
  }
  try {
    return compileProvider(source, name);
  } catch (error) {
    throw describeRenderError(name, source, error);
  }
}

export interface RenderedProvider {
  version: number;
  templateName: string;
  spec: ProviderSpec;
}

/** Render every template for every version, with that version's values, as of `now` (the evaluation time). */
export function renderProviders(
  providers: ReadonlyMap<string, CompiledProvider>,
  input: CustomMetricsInput,
  experimentStart: Date,
  now: Date,
): RenderedProvider[] {
  const rendered: RenderedProvider[] = [];
  for (let version = 0; version < versionCountOf(input.versionValues); version++) {
    const values = valuesForVersion(input.values, input.versionValues, version);
    const elapsed = elapsedSeconds(values, experimentStart, now);
    for (const [templateName, provider] of providers) {
      try {
        rendered.push({ version, templateName, spec: provider.render(values, elapsed, now).spec });
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
