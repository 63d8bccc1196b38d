import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { builtinSchemas, generateValidatorModule } from '../../src/config/precompile-validators.js';
import { ExperimentSchema } from '../../src/config/experiment-schema.js';
import { ajvOptions, schemaKey } from '../../src/config/schema-check.js';
import { builtinTasks } from '../../src/tasks/registry.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The validators the build puts in the bundle, evaluated from the generated code. */
function loadGenerated(): ReadonlyMap<string, ValidateFunction> {
  const exports: { precompiledValidators?: ReadonlyMap<string, ValidateFunction> } = {};
  const evaluate = new Function('exports', 'require', generateValidatorModule({ esm: false })) as (
    exports: object,
    require: NodeJS.Require,
  ) => void;
  evaluate(exports, createRequire(import.meta.url));
  return exports.precompiledValidators!;
}

function compileNow(schema: object): ValidateFunction {
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  return addFormats(new Ajv(ajvOptions)).compile(schema);
}

/** Without TypeBox's symbol keys, which the generated code's copies of the schemas lack. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));

const experiments = readdirSync(path.join(root, 'experiments'))
  .filter((name) => name.endsWith('.yaml'))
  .map(
    (name) => parse(readFileSync(path.join(root, 'experiments', name), 'utf8')) as Record<string, unknown>,
  );

/** Valid documents and broken copies of them: the errors (and their schemas) must be the same too. */
function broken(value: unknown): unknown[] {
  const map = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
  const first = Object.keys(map)[0];
  return [
    value,
    'a string',
    [value],
    { ...map, unknownKeyForTest: 1 },
    ...(first === undefined
      ? []
      : [
          { ...map, [first]: 12.5 },
          { ...map, [first]: [{ x: null }] },
        ]),
    Object.fromEntries(Object.entries(map).slice(1)),
  ];
}

const tasksIn = (experiment: Record<string, unknown>) =>
  ((experiment.spec as { tasks?: Array<{ task: string; with?: unknown }> }).tasks ?? []).map((t) => t);

describe('precompiled validators', () => {
  const generated = loadGenerated();

  it('cover every built-in schema, by content', () => {
    expect(generated.size).toBe(new Set(builtinSchemas().map(schemaKey)).size);
    for (const schema of builtinSchemas()) expect(generated.has(schemaKey(schema))).toBe(true);
  });

  it('judge the experiments in experiments/ and broken copies as ajv compiling at run time does', () => {
    const documents = experiments.flatMap((experiment) => [
      ...broken(experiment),
      { ...experiment, spec: broken(experiment.spec)[3] },
      { ...experiment, metadata: { name: 'Not A Name' } },
    ]);
    const precompiled = generated.get(schemaKey(ExperimentSchema))!;
    const compiled = compileNow(ExperimentSchema);
    let rejected = 0;
    for (const document of documents) {
      const verdict = precompiled(document);
      expect(verdict).toBe(compiled(document));
      expect(plain(precompiled.errors)).toEqual(plain(compiled.errors));
      if (!verdict) rejected++;
    }
    expect(rejected).toBeGreaterThan(documents.length / 2);
  });

  it('judge every task input in experiments/ and broken copies as ajv compiling at run time does', () => {
    let checked = 0;
    const compiledFor = new Map<object, ValidateFunction>();
    for (const task of experiments.flatMap(tasksIn).filter((t) => t.task in builtinTasks)) {
      const schema = builtinTasks[task.task]!.inputSchema;
      const precompiled = generated.get(schemaKey(schema))!;
      const compiled = compiledFor.get(schema) ?? compileNow(schema);
      compiledFor.set(schema, compiled);
      for (const input of broken(task.with)) {
        expect(precompiled(input)).toBe(compiled(input));
        expect(plain(precompiled.errors)).toEqual(plain(compiled.errors));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('are not used for a schema that differs from the one they were built from', () => {
    const changed = { ...ExperimentSchema, required: ['apiVersion'] };
    expect(generated.has(schemaKey(changed))).toBe(false);
  });
});
