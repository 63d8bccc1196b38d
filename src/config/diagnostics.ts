import { redactUrlUserinfo } from '../util/url-secrets.js';
/** One problem found in an experiment, positioned in its source so editors and people can jump to it. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** File the problem is in (as the user named it), or a pseudo-source such as `--set`. */
  file: string;
  /** 1-based; 0 when the problem has no position (for example a file that cannot be read). */
  line: number;
  column: number;
  /** Path of the offending value, e.g. `spec.tasks[2].with.SLOs.upper`. Empty for the whole document. */
  path: string;
  message: string;
  hint?: string;
  /** The value at this key is a credential: the printed excerpt shows `***` in its place. */
  concealValue?: boolean;
}

export type PathSegment = string | number;

export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.path.localeCompare(b.path),
  );
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Compiler-style line: `experiments/x.yaml:14:7  error  spec.tasks[2].with: must be number (got "25ms")`. */
export function formatDiagnostic(d: Diagnostic, sourceLines?: readonly string[]): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const what = d.path ? `${d.path}: ${d.message}` : d.message;
  const lines = [`${where}  ${d.severity}  ${what}`];
  const excerpt = d.line > 0 ? sourceLines?.[d.line - 1] : undefined;
  if (excerpt !== undefined && excerpt.trim() !== '') {
    // An excerpt never shows a credential: the userinfo of a URL, or the value a warning is about.
    const shown = redactUrlUserinfo(d.concealValue ? concealValueAfter(excerpt, d.column) : excerpt);
    lines.push(`    ${shown.replace(/\t/g, ' ')}`);
    lines.push(`    ${' '.repeat(Math.max(0, d.column - 1))}^`);
  }
  if (d.hint) lines.push(`    hint: ${d.hint}`);
  return lines.join('\n');
}

/** `key: value` on `line` from `column` (1-based, at the key) with the value as `***`. */
function concealValueAfter(line: string, column: number): string {
  const colon = line.indexOf(':', Math.max(0, column - 1));
  if (colon < 0) return line;
  const rest = line.slice(colon + 1);
  const value = /^\s*('(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^,}\]#]*)/.exec(rest)?.[0] ?? '';
  return `${line.slice(0, colon + 1)} ***${rest.slice(value.length)}`;
}

export function summarizeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}
