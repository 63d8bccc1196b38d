/**
 * The one way canary makes a nunjucks Environment: no loaders (a template cannot include, import or
 * extend files), member lookups that cannot climb from a value to its constructor, and a step and
 * time budget per render. nunjucks is not a sandbox on its own:
 * `{{ "".constructor.constructor("return process")() }}` reaches Function and with it `process`,
 * the environment and the file system; and `{% for %}` over `range(1e4)` twice nested never ends.
 */
import nunjucks from 'nunjucks';
import { TemplateBudget, TemplateBudgetError } from './template-budget.js';

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
  callWrap(target: unknown, name: string, context: unknown, args: unknown[]): unknown;
  handleError(error: unknown, lineno: number, colno: number): unknown;
  Frame: { prototype: { set(name: string, value: unknown, resolveUp?: boolean): void } };
}

/** The budget of the render under way in a sandboxed environment (renders are synchronous). */
let activeBudget: TemplateBudget | undefined;
const sandboxed = new WeakSet<object>();

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
  // Every loop iteration sets its variables on a frame, `{% set %}` too, and every macro or function
  // call goes through callWrap: counting those bounds any render.
  const frameSet = runtime.Frame.prototype.set;
  runtime.Frame.prototype.set = function (name, value, resolveUp) {
    if (activeBudget) {
      activeBudget.charge();
      activeBudget.checkString(value);
    }
    frameSet.call(this, name, value, resolveUp);
  };
  const callWrap = runtime.callWrap.bind(runtime);
  runtime.callWrap = (target, name, context, args) => {
    activeBudget?.charge();
    const result = callWrap(target, name, context, args);
    activeBudget?.checkString(result);
    return result;
  };
  // The compiled code's lineno and colno count from 0; handleError passes them on as they are.
  const handleError = runtime.handleError.bind(runtime);
  runtime.handleError = (error, lineno, colno) =>
    error instanceof TemplateBudgetError
      ? handleError(error, lineno + 1, colno + 1)
      : handleError(error, lineno, colno);
  const templatePrototype = nunjucks.Template.prototype as unknown as {
    env: object;
    render(...args: unknown[]): unknown;
  };
  const render = templatePrototype.render;
  templatePrototype.render = function (this: { env: object }, ...args: unknown[]) {
    if (!sandboxed.has(this.env) || activeBudget) return render.apply(this, args);
    activeBudget = new TemplateBudget();
    try {
      return render.apply(this, args);
    } finally {
      activeBudget = undefined;
    }
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
  const environment = new nunjucks.Environment([], options);
  sandboxed.add(environment);
  environment.addGlobal('range', budgetedRange);
  return environment;
}

/**
 * nunjucks' range, on numbers only (its own, given strings, concatenates forever: `range("0", "5")`),
 * charged one step per item before it builds the list (`range(1e9)` would not end either).
 */
function budgetedRange(start: unknown, stop?: unknown, step?: unknown): number[] {
  const [from, to] = stop === undefined ? [0, Number(start)] : [Number(start), Number(stop)];
  const by = stop === undefined || !step ? 1 : Number(step);
  const count = Math.max(0, Math.ceil((to - from) / by));
  if (Number.isNaN(count)) return [];
  activeBudget?.charge(Number.isFinite(count) ? count : Number.MAX_SAFE_INTEGER);
  return Array.from({ length: count }, (_, i) => from + i * by);
}
