import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { ExperimentSchema } from './experiment-schema.js';
import { ajvOptions, schemaKey } from './schema-check.js';
import { ProviderSpecSchema } from '../metrics/provider-spec.js';
import { ProviderFixtureSchema } from '../metrics/fixtures/fixture-format.js';
import { builtinTasks } from '../tasks/registry.js';

/** The schemas `canary validate` and `canary run` check documents against. */
export function builtinSchemas(): object[] {
  return [
    ExperimentSchema,
    ...Object.values(builtinTasks).map((task) => task.inputSchema),
    ProviderSpecSchema,
    ProviderFixtureSchema,
  ];
}

/**
 * Source of a module exporting `precompiledValidators` (see precompiled-validators.ts): ajv's
 * standalone code for every built-in schema, with the options schema-check.ts compiles with.
 * ES module for the bundle; CommonJS (`exports`, `require`) to evaluate in a test.
 */
export function generateValidatorModule({ esm }: { esm: boolean }): string {
  const ajv = new Ajv({ ...ajvOptions, code: { source: true, esm } });
  const exportNames = new Map<string, string>(); // schemaKey -> export name
  for (const schema of builtinSchemas()) {
    const key = schemaKey(schema);
    if (exportNames.has(key)) continue;
    const name = `validator${exportNames.size}`;
    ajv.addSchema(schema, name);
    exportNames.set(key, name);
  }
  const names = [...exportNames.values()];
  const code = standalone.default(ajv, Object.fromEntries(names.map((name) => [name, name])));
  const entries = [...exportNames]
    .map(([key, name]) => `[${JSON.stringify(key)}, ${esm ? name : `exports.${name}`}]`)
    .join(', ');
  const table = `new Map([${entries}])`;
  return esm
    ? `${code}\nexport const precompiledValidators = ${table};\n`
    : `${code}\nexports.precompiledValidators = ${table};\n`;
}
