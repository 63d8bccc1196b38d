/**
 * Nearly every template reads its value with a fixed path such as `.data.result[0].value[1] | tonumber`.
 * A jq-wasm run costs milliseconds of CPU (jq compiles its builtins every run) while following a path
 * costs microseconds, so such paths are followed here. Only where the answer is plain: when a key is
 * missing, an index is out of range, a value has the wrong type or a string is not a plain decimal,
 * the caller asks jq, so that every message and edge case stays jq's own.
 */

/** `.a.b[0]` as steps: names index objects, numbers index arrays. */
export interface PlainPath {
  steps: Array<string | number>;
  /** Ends in `| tonumber`. */
  toNumber: boolean;
}

/** Words jq reads as keywords after a dot in some versions: left to jq. */
const KEYWORDS = new Set([
  'and', 'as', 'catch', 'def', 'elif', 'else', 'end', 'foreach', 'if', 'import', 'include',
  'label', 'or', 'reduce', 'then', 'try', '__loc__',
]); // prettier-ignore
const FIRST_STEP = /^\.(?:([A-Za-z_][A-Za-z0-9_]*)|\[(\d{1,9})\])/;
const NEXT_STEP = /^(?:\.([A-Za-z_][A-Za-z0-9_]*)|\.?\[(\d{1,9})\])/;
const TO_NUMBER = /\s*\|\s*tonumber\s*$/;
/** JSON's number grammar: every strtod and Number() read these to the same double. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const LONE_SURROGATE = /\p{Surrogate}/u;

/** The path `expression` is, or undefined when it is anything more (then jq runs it). */
export function parsePlainPath(expression: string): PlainPath | undefined {
  let rest = expression.trim();
  const toNumber = TO_NUMBER.test(rest);
  if (toNumber) rest = rest.replace(TO_NUMBER, '');
  const steps: Array<string | number> = [];
  let match = FIRST_STEP.exec(rest);
  while (match) {
    const [text, name, index] = match;
    if (name !== undefined) {
      if (KEYWORDS.has(name)) return undefined;
      steps.push(name);
    } else steps.push(Number(index));
    rest = rest.slice(text.length);
    match = NEXT_STEP.exec(rest);
  }
  return steps.length > 0 && rest === '' ? { steps, toNumber } : undefined;
}

/**
 * What jq would output for `document` (a parsed JSON document), when that is a finite number or a
 * string; undefined whenever jq might say anything else.
 */
export function followPlainPath(document: unknown, path: PlainPath): { output: number | string } | undefined {
  let value = document;
  for (const step of path.steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(value) || step >= value.length) return undefined;
      value = value[step] as unknown;
    } else {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, step))
        return undefined;
      value = (value as Record<string, unknown>)[step];
    }
  }
  if (typeof value === 'number') return Number.isFinite(value) ? { output: value } : undefined;
  if (typeof value !== 'string') return undefined;
  // jq would replace a lone surrogate (JSON allows `\ud800`) with U+FFFD.
  if (!path.toNumber) return LONE_SURROGATE.test(value) ? undefined : { output: value };
  if (!JSON_NUMBER.test(value)) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? { output: number } : undefined;
}
