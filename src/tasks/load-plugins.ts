import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TaskDefinition } from './task-definition.js';
import { builtinTasks } from './registry.js';
import { compileSchema } from '../config/schema-check.js';
import { errorMessage } from '../errors.js';

export interface PluginProblem {
  name: string;
  message: string;
  hint?: string;
  /** Default error. */
  severity?: 'warning';
}

export interface LoadPluginOptions {
  /**
   * False: check that each plugin module exists but do not import it (its top-level code would run).
   * Its tasks get a stand-in that accepts any input and cannot run.
   */
  importModules?: boolean;
}

/**
 * Load user task plugins named in `spec.plugins` (name -> module path relative to the experiment).
 * A plugin module's default export (or its `task` export) is a TaskDefinition. Bad plugins become
 * problems, never crashes.
 */
export async function loadPlugins(
  plugins: Readonly<Record<string, string>>,
  experimentDir: string,
  options: LoadPluginOptions = {},
): Promise<{ definitions: Map<string, TaskDefinition<never>>; problems: PluginProblem[] }> {
  const definitions = new Map<string, TaskDefinition<never>>();
  const problems: PluginProblem[] = [];
  for (const [name, reference] of Object.entries(plugins)) {
    if (Object.hasOwn(builtinTasks, name)) {
      problems.push({
        name,
        message: `plugin name ${JSON.stringify(name)} is a built-in task`,
        hint: 'choose another name',
      });
      continue;
    }
    const file = path.resolve(experimentDir, reference);
    if (!existsSync(file)) {
      problems.push({
        name,
        message: `plugin module not found: ${file}`,
        hint: 'plugin paths are relative to the experiment file, e.g. ../plugins/file-metrics.js',
      });
      continue;
    }
    if (options.importModules === false) {
      problems.push({
        name,
        severity: 'warning',
        message: `plugin ${JSON.stringify(name)} not loaded (--no-plugins): inputs of its tasks were not checked`,
        hint: 'validate without --no-plugins to check them; that imports the module, so its top-level code runs',
      });
      definitions.set(name, unloadedPlugin(name, reference));
      continue;
    }
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      problems.push({ name, message: `plugin module failed to load: ${errorMessage(error)}` });
      continue;
    }
    const candidate = module.default ?? module.task;
    const shapeProblem = describeShapeProblem(candidate);
    if (shapeProblem) {
      problems.push({
        name,
        message: `${reference} is not a task plugin: ${shapeProblem}`,
        hint: 'export default { name, description, inputSchema, async run(input, context) {...} }',
      });
      continue;
    }
    definitions.set(name, candidate as TaskDefinition<never>);
  }
  return { definitions, problems };
}

function describeShapeProblem(candidate: unknown): string | undefined {
  if (candidate === null || typeof candidate !== 'object') return 'no default export object';
  const definition = candidate as Record<string, unknown>;
  if (typeof definition.run !== 'function') return '`run` must be a function';
  if (typeof definition.description !== 'string') return '`description` must be a string';
  if (definition.inputSchema === null || typeof definition.inputSchema !== 'object')
    return '`inputSchema` must be a JSON Schema object';
  for (const hook of ['check', 'produces'] as const) {
    if (definition[hook] !== undefined && typeof definition[hook] !== 'function')
      return `\`${hook}\` must be a function`;
  }
  // Only `true` lets a task run in a retrospective loop; a string "false" must not read as yes.
  if (definition.supportsRetrospective !== undefined && typeof definition.supportsRetrospective !== 'boolean')
    return '`supportsRetrospective` must be true or false';
  try {
    compileSchema(definition.inputSchema as object);
  } catch (error) {
    return `inputSchema does not compile: ${errorMessage(error)}`;
  }
  return undefined;
}

/** Stands in for a plugin that was not imported: any input passes, and it refuses to run. */
function unloadedPlugin(name: string, reference: string): TaskDefinition<never> {
  return {
    name,
    description: `plugin ${reference} (not loaded)`,
    inputSchema: {},
    run() {
      throw new Error(`plugin ${name} was not loaded (--no-plugins)`);
    },
  };
}
