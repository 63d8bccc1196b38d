import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createHash } from 'node:crypto';
import { precompiledValidators } from './precompiled-validators.js';
import type { PathSegment } from './diagnostics.js';
import { editDistance } from '../util/edit-distance.js';

/** A schema violation, with its path into the checked value. */
export interface SchemaProblem {
  path: PathSegment[];
  message: string;
  hint?: string;
  /** Point at the key rather than the value (unknown keys). */
  atKey: boolean;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
/** Options of every validator, compiled here or precompiled by the build (precompile-validators.ts). */
export const ajvOptions = { allErrors: true, strict: false, allowUnionTypes: true, verbose: true } as const;
let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * The validator of a schema: the build's precompiled one when the schema is one of the built-in ones
 * (compiling the experiment and task schemas took ajv most of `canary validate`'s start-up), else
 * compiled now (plugins' schemas, and every schema when running from tsc output, where the table
 * is empty).
 */
export function compileSchema(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = precompiledValidators.get(schemaKey(schema)) ?? compileNow(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

function compileNow(schema: object): ValidateFunction {
  ajv ??= addFormats(new Ajv(ajvOptions));
  return ajv.compile(schema);
}

/** Identifies a schema by content, so that a precompiled validator is used only for the schema it was built from. */
export function schemaKey(schema: object): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('base64url');
}

export function checkAgainstSchema(schema: object, value: unknown): SchemaProblem[] {
  const validate = compileSchema(schema);
  if (validate(value)) return [];
  const problems = describeErrors(pruneUnionNoise(validate.errors ?? []), value);
  // Never report "valid" for a value the schema rejected: later checks trust the shape.
  return problems.length > 0 ? problems : [{ path: [], message: 'does not match the schema', atKey: false }];
}

/**
 * ajv reports every branch of a failed anyOf. Keep the branch whose type fits the data
 * (a map where a map or a list is allowed gets the map's errors), and drop the generic anyOf line
 * when a branch explains the problem better. A branch error lies below its union in the schema
 * and at or below it in the data: a map of 5,000 entries has 5,000 unions at one schema path.
 */
function pruneUnionNoise(errors: ErrorObject[]): ErrorObject[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  if (unions.length === 0) return errors;
  const unionAt = new Map<string, ErrorObject>();
  const branchesOf = new Map<ErrorObject, ErrorObject[]>();
  for (const union of unions) {
    unionAt.set(`${union.schemaPath}\u0000${union.instancePath}`, union);
    branchesOf.set(union, []);
  }
  for (const error of errors) {
    const instancePaths = pathPrefixes(error.instancePath, true);
    for (const schemaPath of pathPrefixes(error.schemaPath, false)) {
      for (const instancePath of instancePaths) {
        const union = unionAt.get(`${schemaPath}\u0000${instancePath}`);
        if (union) branchesOf.get(union)!.push(error);
      }
    }
  }
  const dropped = new Set<ErrorObject>();
  for (const [union, branches] of branchesOf) {
    const wrongType = branches.filter((e) => e.keyword === 'type' && e.instancePath === union.instancePath);
    if (branches.length > wrongType.length) {
      wrongType.forEach((e) => dropped.add(e));
      dropped.add(union);
    } else {
      branches.forEach((e) => dropped.add(e));
    }
  }
  return errors.filter((e) => !dropped.has(e));
}

/** `/a/b` -> ['', '/a', '/a/b'] (with itself) or ['', '/a'] (without). */
function pathPrefixes(pointer: string, withItself: boolean): string[] {
  const prefixes: string[] = [];
  for (let i = pointer.indexOf('/'); i >= 0; i = pointer.indexOf('/', i + 1))
    prefixes.push(pointer.slice(0, i));
  if (withItself) prefixes.push(pointer);
  return prefixes;
}

function describeErrors(errors: ErrorObject[], root: unknown): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const problem = describeError(error, root);
    const key = `${problem.path.join('\u0000')}|${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function describeError(error: ErrorObject, root: unknown): SchemaProblem {
  const path = parsePointer(error.instancePath);
  const value = valueAt(root, path);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = allowedKeys(error);
      const patterns = Object.keys(
        (error.parentSchema as { patternProperties?: object } | undefined)?.patternProperties ?? {},
      );
      if (allowed.length === 0 && patterns.length > 0) {
        // A map whose keys are names the user chooses (plugins, headers, env): the name's form is wrong.
        return {
          path: [...path, key],
          message: `${JSON.stringify(key)} is not a valid name here`,
          hint: `names must match ${patterns.map((p) => `/${p}/`).join(' or ')}`,
          atKey: true,
        };
      }
      return {
        path: [...path, key],
        message: `unknown key ${JSON.stringify(key)}`,
        hint: suggestKey(key, allowed),
        atKey: true,
      };
    }
    case 'required':
      return {
        path,
        message: `missing required key ${JSON.stringify(params.missingProperty)}`,
        atKey: false,
      };
    case 'type':
      return {
        path,
        message: `must be ${String(params.type)} (got ${describeValue(value)})`,
        hint: params.type === 'number' ? unitsHint(value) : undefined,
        atKey: false,
      };
    case 'const':
      return {
        path,
        message: `must be ${JSON.stringify(params.allowedValue)} (got ${describeValue(value)})`,
        atKey: false,
      };
    case 'enum':
      return {
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (got ${describeValue(value)})`,
        atKey: false,
      };
    case 'pattern': {
      const schema = error.parentSchema as { description?: string; examples?: unknown[] } | undefined;
      return {
        path,
        message: `${describeValue(value)} is not valid here${schema?.description ? `: ${lowerFirst(schema.description)}` : ''}`,
        hint: schema?.examples
          ? `for example ${schema.examples.map((e) => JSON.stringify(e)).join(' or ')}`
          : undefined,
        atKey: false,
      };
    }
    case 'anyOf':
    case 'oneOf': {
      // A union that says what it accepts gives a better message than "no form matched".
      const union = error.parentSchema as
        { description?: string; anyOf?: Array<{ type?: string }> } | undefined;
      const takesNumber = union?.anyOf?.some((branch) => branch.type === 'number') ?? false;
      return {
        path,
        message: union?.description
          ? `must be ${lowerFirst(union.description)} (got ${describeValue(value)})`
          : `does not match any allowed form (got ${describeValue(value)})`,
        hint: takesNumber ? unitsHint(value) : undefined,
        atKey: false,
      };
    }
    default:
      return {
        path,
        message: `${error.message ?? 'is invalid'}${value === undefined ? '' : ` (got ${describeValue(value)})`}`,
        atKey: false,
      };
  }
}

/** `25ms` where a number goes: the units belong to the metric, not the limit. */
function unitsHint(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\s*-?[\d.]+\s*[a-zA-Zµ%]+\s*$/.test(value)) return undefined;
  return `write the bare number in the metric's units, e.g. ${parseFloat(value)}`;
}

function allowedKeys(error: ErrorObject): string[] {
  const schema = error.parentSchema as { properties?: Record<string, unknown> } | undefined;
  return Object.keys(schema?.properties ?? {});
}

/** "did you mean" for keys one or two edits away, or differing only in case. */
export function suggestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(key.length / 4)))
    return `did you mean ${JSON.stringify(best)}?`;
  return allowed.length > 0 ? `allowed keys: ${allowed.join(', ')}` : undefined;
}

function parsePointer(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : segment));
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let value = root;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
