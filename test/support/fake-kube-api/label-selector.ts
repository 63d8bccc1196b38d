/**
 * Label selectors as `?labelSelector=` carries them: equality (`a=b`, `a==b`, `a!=b`),
 * set-based (`a in (x,y)`, `a notin (x)`), existence (`a`, `!a`), joined by commas (AND).
 */

export type Requirement =
  { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | 'doesnotexist' };

export class SelectorSyntaxError extends Error {}

const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export function parseLabelSelector(text: string): Requirement[] {
  return splitTerms(text)
    .map((term) => term.trim())
    .filter((term) => term !== '')
    .map(parseTerm);
}

export function matchesLabels(
  requirements: readonly Requirement[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'doesnotexist':
        return !has;
      case 'in':
        return has && r.values.includes(labels[r.key]!);
      case 'notin':
        // Kubernetes: a missing label satisfies `notin` (and `!=`).
        return !has || !r.values.includes(labels[r.key]!);
    }
  });
}

/** Commas inside `( )` separate values, not terms. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new SelectorSyntaxError(`unbalanced parentheses in "${text}"`);
  terms.push(text.slice(start));
  return terms;
}

function parseTerm(term: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
  if (set) {
    const values = set[3]!.split(',').map((v) => v.trim());
    if (values.length === 0 || values.every((v) => v === '')) {
      throw new SelectorSyntaxError(`for '${set[2]}' operator, values set can't be empty`);
    }
    return { key: checkKey(set[1]!), op: set[2] as 'in' | 'notin', values: values.map(checkValue) };
  }
  const equality = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (equality) {
    const op = equality[2] === '!=' ? 'notin' : 'in';
    return { key: checkKey(equality[1]!), op, values: [checkValue(equality[3]!)] };
  }
  if (term.startsWith('!')) return { key: checkKey(term.slice(1).trim()), op: 'doesnotexist' };
  return { key: checkKey(term), op: 'exists' };
}

function checkKey(key: string): string {
  if (!KEY.test(key)) throw new SelectorSyntaxError(`invalid label key "${key}"`);
  return key;
}

function checkValue(value: string): string {
  if (value.length > 63 || !VALUE.test(value))
    throw new SelectorSyntaxError(`invalid label value: "${value}"`);
  return value;
}
