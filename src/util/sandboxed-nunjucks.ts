/**
 * The one way canary makes a nunjucks Environment: no loaders (a template cannot include, import or
 * extend files), and member lookups that cannot climb from a value to its constructor. nunjucks is
 * not a sandbox on its own: `{{ "".constructor.constructor("return process")() }}` reaches Function
 * and with it `process`, the environment and the file system.
 */
import nunjucks from 'nunjucks';

/** Keys that lead from any value to Function (and so to `process`) or rewrite prototypes. */
const BLOCKED_KEYS: ReadonlySet<string> = new Set([
  'constructor',
  'prototype',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/** The compiled templates of every Environment call these, through nunjucks' shared runtime. */
interface Runtime {
  memberLookup(target: unknown, key: unknown): unknown;
  contextOrFrameLookup(context: unknown, frame: unknown, name: string): unknown;
}

let hardened = false;

/**
 * Replaces the two lookups of nunjucks' shared runtime, once per process: `a.b` and `a["b"]`
 * refuse the blocked keys, and a bare name never resolves to a member of Object.prototype (the
 * render context is a plain object, so `{{ valueOf() }}` would hand out nunjucks' own Context).
 */
function hardenRuntime(): void {
  if (hardened) return;
  hardened = true;
  const runtime = (nunjucks as unknown as { runtime: Runtime }).runtime;
  const memberLookup = runtime.memberLookup.bind(runtime);
  const contextOrFrameLookup = runtime.contextOrFrameLookup.bind(runtime);
  runtime.memberLookup = (target, key) => {
    if (typeof key === 'string' && BLOCKED_KEYS.has(key))
      throw new Error(`templates cannot read ${JSON.stringify(key)}`);
    return memberLookup(target, key);
  };
  runtime.contextOrFrameLookup = (context, frame, name) => {
    const value = contextOrFrameLookup(context, frame, name);
    if (BLOCKED_KEYS.has(name) || (name in Object.prototype && value === objectMember(name)))
      return undefined;
    return value;
  };
}

function objectMember(name: string): unknown {
  return (Object.prototype as Record<string, unknown>)[name];
}

/** A fresh, isolated Environment (never the global `configure`) with the hardened runtime. */
export function createSandboxedEnvironment(options: nunjucks.ConfigureOptions = {}): nunjucks.Environment {
  hardenRuntime();
  return new nunjucks.Environment([], options);
}
