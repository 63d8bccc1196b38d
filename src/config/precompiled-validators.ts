import type { ValidateFunction } from 'ajv';

/**
 * Validators of the built-in schemas, precompiled by ajv at build time, by schemaKey(schema).
 * Empty here: tools/bundle-cli.mjs replaces this module in the bundle with the code that
 * precompile-validators.ts generates, so the tsc output (and the tests that import src/)
 * compile every schema at run time, and the CLI compiles none of the built-in ones.
 */
export const precompiledValidators: ReadonlyMap<string, ValidateFunction> = new Map();
