/**
 * Helm-compatible `--set` / `--set-string` parsing, modelled on Helm's strvals
 * package so that Iter8 command lines keep working unchanged.
 *
 * Grammar of one argument (several assignments separated by `,`):
 *   assignment := path '=' value
 *   path       := key ('[' index ']')* ('.' key ('[' index ']')*)*
 *   value      := '{' item (',' item)* '}' | '{}' | scalar
 * A backslash makes the next character literal anywhere (`a\.b=1` sets key
 * "a.b", `x=1\,2` sets "1,2"). Keys end only at `=`, `[`, `.` or `,`, so
 * characters such as `/`, `-` and `'` are part of the key.
 *
 * Deliberate differences from Helm (all of them reject or clarify input that
 * Helm accepts silently or turns into something surprising):
 * - `{}` is an empty list (Helm yields `[""]`).
 * - decimals and exponents (`0.005`, `1e3`) become numbers (Helm only types
 *   integers); `-007` stays a string (Helm's ParseInt would give -7).
 * - empty key segments (`a..b=1`), text after a list's `}` and a dangling
 *   backslash are errors (Helm creates a "" key or re-parses the rest).
 * - setting below a scalar (`a=1,a.b=2`) is an error, not a type panic.
 * - `null` may be replaced by a map or list when a deeper key is set.
 * - integers beyond 2^53 stay strings so no digits are lost.
 */

/** Helm caps list indexes so `a[99999999]=1` cannot allocate a huge list. */
const MAX_LIST_INDEX = 65536;

export class SetSyntaxError extends Error {
  /** The whole `--set` argument that failed. */
  readonly argument: string;
  /** 1-based position in `argument` where the problem was found. */
  readonly column: number;
  /** A suggestion for fixing the argument, if there is an obvious one. */
  readonly hint?: string;
  /** The flag that carried it (`--set` or `--set-string`). */
  readonly flag: string;
  /** What is wrong, without the argument (the message has both). */
  readonly detail: string;

  constructor(detail: string, at: { argument: string; column: number; hint?: string; flag?: string }) {
    super(`${at.flag ?? '--set'} ${JSON.stringify(at.argument)}: ${detail} (at column ${at.column})`);
    this.name = 'SetSyntaxError';
    this.flag = at.flag ?? '--set';
    this.detail = detail;
    this.argument = at.argument;
    this.column = at.column;
    if (at.hint !== undefined) this.hint = at.hint;
  }
}

type PathSegment =
  { kind: 'key'; name: string; column: number } | { kind: 'index'; index: number; column: number };

interface Assignment {
  path: PathSegment[];
  value: unknown;
}

type Fail = (detail: string, column: number, hint?: string) => never;

/**
 * Parses one `--set` argument and writes its assignments into `target`.
 * The whole argument is parsed before anything is written, so a syntax error
 * leaves `target` untouched.
 */
export function parseSetArgument(
  arg: string,
  target: Record<string, unknown>,
  options: { asString: boolean },
): void {
  const flag = options.asString ? '--set-string' : '--set';
  const fail: Fail = (detail, column, hint) => {
    throw new SetSyntaxError(detail, {
      argument: arg,
      column,
      flag,
      ...(hint === undefined ? {} : { hint }),
    });
  };
  const assignments = new ArgumentParser(arg, options.asString, fail).parseAssignments();
  for (const assignment of assignments) applyAssignment(target, assignment, fail);
}

/**
 * Builds values from `--set` and `--set-string` arguments. Like Helm, every
 * `--set` is applied first and every `--set-string` after it, whatever order
 * they had on the command line, so `--set-string` wins on the same key.
 */
export function valuesFromSetArguments(sets: string[], setStrings: string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const arg of sets) parseSetArgument(arg, values, { asString: false });
  for (const arg of setStrings) parseSetArgument(arg, values, { asString: true });
  return values;
}

/**
 * Deep-merges plain objects, overlay winning; lists and scalars (including
 * null) are replaced, not merged. Returns a fresh object sharing nothing with
 * its inputs, so later `--set` writes cannot leak into a values file's data.
 */
export function mergeValues(
  base: Record<string, unknown>,
  overlay: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) setOwn(merged, key, copyValue(value));
  for (const [key, value] of Object.entries(overlay)) {
    const current = readOwn(merged, key);
    setOwn(
      merged,
      key,
      isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : copyValue(value),
    );
  }
  return merged;
}

/** Recursive-descent parser over one argument; `pos` is a 0-based index. */
class ArgumentParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly asString: boolean,
    private readonly fail: Fail,
  ) {}

  parseAssignments(): Assignment[] {
    const assignments: Assignment[] = [];
    // A trailing comma (`a=1,`) and an empty argument are accepted, as in Helm.
    while (this.pos < this.text.length) {
      const path = this.parsePath();
      const value = this.parseValue();
      assignments.push({ path, value });
    }
    return assignments;
  }

  /** Reads `a.b[0].c` up to and including the `=`. */
  private parsePath(): PathSegment[] {
    const path: PathSegment[] = [];
    for (;;) {
      const column = this.pos + 1;
      const { text: name, stop } = this.readUntil('=[.,');
      if (name === '') this.failEmptyKey(stop, path.length > 0);
      path.push({ kind: 'key', name, column });

      let next = stop;
      while (next === '[') {
        path.push(this.parseIndex());
        next = this.text[this.pos];
        if (next !== undefined && !'=.[,'.includes(next)) {
          this.fail(
            `unexpected ${JSON.stringify(next)} after ']'`,
            this.pos + 1,
            "an index must be followed by '=', '.' or another '['",
          );
        }
      }

      if (next === '=') {
        this.pos++;
        return path;
      }
      if (next === '.') {
        this.pos++;
        continue;
      }
      // `,` or end of argument: the key never got a value.
      const shown = pathToString(path);
      this.fail(`missing '=' after ${shown}`, this.pos + 1, `give it a value, e.g. ${shown}=true`);
    }
  }

  private failEmptyKey(stop: string | undefined, afterDot: boolean): never {
    const column = this.pos + 1;
    if (afterDot) {
      this.fail('empty key segment', column, "remove the extra '.'; write a literal dot in a key as \\.");
    }
    if (stop === '[')
      this.fail("missing key before '['", column, 'an index follows a key, e.g. list[0]=value');
    if (stop === ',')
      this.fail("missing key before ','", column, "remove the extra ','; write a literal comma as \\,");
    if (stop === '.') this.fail("missing key before '.'", column, 'write a literal dot in a key as \\.');
    this.fail("missing key before '='", column, 'assignments look like key=value');
  }

  /** Reads `[n]`; `pos` is at the `[`. */
  private parseIndex(): PathSegment {
    const column = this.pos + 1;
    const close = this.text.indexOf(']', this.pos);
    if (close === -1) this.fail("unclosed '['", column, 'close the index, e.g. list[0]=value');
    const raw = this.text.slice(this.pos + 1, close);
    if (!/^\d+$/.test(raw)) {
      const detail =
        raw === ''
          ? 'empty list index'
          : /^-\d+$/.test(raw)
            ? `negative list index ${raw}`
            : `list index ${JSON.stringify(raw)} is not a number`;
      this.fail(detail, column + 1, 'list indexes are whole numbers from 0, e.g. list[0]=value');
    }
    const index = Number(raw);
    if (index > MAX_LIST_INDEX) {
      this.fail(`list index ${raw} is larger than the maximum ${MAX_LIST_INDEX}`, column + 1);
    }
    this.pos = close + 1;
    return { kind: 'index', index, column };
  }

  /** Reads a list or scalar value and the `,` after it, if any. */
  private parseValue(): unknown {
    // Only an unescaped leading `{` starts a list; `\{a}` is the string "{a}".
    if (this.text[this.pos] !== '{') {
      const { text, stop } = this.readUntil(',');
      if (stop === ',') this.pos++;
      return typeValue(text, this.asString);
    }

    const open = this.pos + 1;
    this.pos++;
    const items: unknown[] = [];
    if (this.text[this.pos] === '}') {
      this.pos++;
    } else {
      for (;;) {
        const { text, stop } = this.readUntil(',}');
        if (stop === undefined) {
          this.fail("unclosed '{'", open, "end the list with '}', e.g. tasks={http,assess}");
        }
        this.pos++;
        items.push(typeValue(text, this.asString));
        if (stop === '}') break;
      }
    }

    const after = this.text[this.pos];
    if (after === ',') this.pos++;
    else if (after !== undefined) {
      this.fail(
        "unexpected text after '}'",
        this.pos + 1,
        "separate assignments with ','; to set a string starting with '{', write \\{",
      );
    }
    return items;
  }

  /** Reads up to (not including) an unescaped stop character, resolving escapes. */
  private readUntil(stops: string): { text: string; stop: string | undefined } {
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos] as string;
      if (ch === '\\') {
        const escaped = this.text[this.pos + 1];
        if (escaped === undefined) {
          this.fail(
            'backslash at the end escapes nothing',
            this.pos + 1,
            'write \\\\ for a literal backslash',
          );
        }
        out += escaped;
        this.pos += 2;
        continue;
      }
      if (stops.includes(ch)) return { text: out, stop: ch };
      out += ch;
      this.pos++;
    }
    return { text: out, stop: undefined };
  }
}

// Integers without a redundant leading zero, like Helm; `-00002` stays a string.
const INTEGER = /^[-+]?(?:0|[1-9]\d*)$/;
const DECIMAL = /^[-+]?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

/** Helm's typing rule (case-insensitive true/false/null), extended to decimals. */
function typeValue(raw: string, asString: boolean): unknown {
  if (asString) return raw;
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (INTEGER.test(raw)) {
    const n = Number(raw) + 0; // `+ 0` turns -0 into 0
    return Number.isSafeInteger(n) ? n : raw;
  }
  if (DECIMAL.test(raw)) {
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw;
  }
  return raw;
}

function applyAssignment(target: Record<string, unknown>, { path, value }: Assignment, fail: Fail): void {
  let container: Record<string, unknown> | unknown[] = target;
  for (const [i, segment] of path.entries()) {
    const next = path[i + 1];
    if (next === undefined) {
      writeSlot(container, segment, value);
      return;
    }
    const existing = readSlot(container, segment);
    const here = pathToString(path.slice(0, i + 1));
    const full = pathToString(path);
    if (existing === undefined || existing === null) {
      const created: Record<string, unknown> | unknown[] = next.kind === 'key' ? {} : [];
      writeSlot(container, segment, created);
      container = created;
    } else if (next.kind === 'key' && isPlainObject(existing)) {
      container = existing;
    } else if (next.kind === 'index' && Array.isArray(existing)) {
      container = existing;
    } else if (Array.isArray(existing)) {
      fail(
        `${here} is a list, cannot set ${full}`,
        next.column,
        `index the list instead, e.g. ${here}[0].${pathToString([next])}`,
      );
    } else if (isPlainObject(existing)) {
      fail(
        `${here} is a map, cannot set ${full}`,
        next.column,
        `use a key instead of an index, e.g. ${here}.name`,
      );
    } else {
      fail(
        `${here} is already a value, cannot set ${full}`,
        next.column,
        `${here} was set to ${JSON.stringify(existing)} earlier; remove one of the two assignments`,
      );
    }
  }
}

function readSlot(container: Record<string, unknown> | unknown[], segment: PathSegment): unknown {
  if (segment.kind === 'index') return Array.isArray(container) ? container[segment.index] : undefined;
  return Array.isArray(container) ? undefined : readOwn(container, segment.name);
}

function writeSlot(
  container: Record<string, unknown> | unknown[],
  segment: PathSegment,
  value: unknown,
): void {
  if (segment.kind === 'key') {
    if (!Array.isArray(container)) setOwn(container, segment.name, value);
    return;
  }
  if (!Array.isArray(container)) return;
  // Helm fills the gap before a far index with nulls.
  while (container.length < segment.index) container.push(null);
  container[segment.index] = value;
}

/** Renders a path back in `--set` syntax, escaping characters the parser treats specially. */
function pathToString(path: PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (segment.kind === 'index') out += `[${segment.index}]`;
    else out += (out === '' ? '' : '.') + segment.name.replace(/[\\.[=,]/g, '\\$&');
  }
  return out;
}

// defineProperty/hasOwn keep keys such as `__proto__` as ordinary data instead
// of touching the prototype chain.
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}

function readOwn(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function copyValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyValue);
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) setOwn(copy, key, copyValue(item));
  return copy;
}
