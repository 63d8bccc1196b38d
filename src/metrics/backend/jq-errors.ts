/** Turns jq's stderr into one-line messages without the command-line noise. */

const MAX_MESSAGE_LENGTH = 300;

/**
 * Compile errors, e.g. `syntax error, unexpected end of file at line 1`, or undefined when
 * stderr holds no compile error. jq echoes the offending program line after each error and
 * ends with `jq: N compile errors`; both are dropped, as is its shell-quoting hint.
 */
export function describeCompileErrors(stderr: string): string | undefined {
  const errors = stderr
    .split('\n')
    .filter((line) => line.startsWith('jq: error: '))
    .map((line) =>
      line
        .slice('jq: error: '.length)
        .replace(' (Unix shell quoting issues?)', '')
        .replace(/ at <top-level>, line (\d+):$/, ' at line $1')
        .trim(),
    );
  if (errors.length === 0 || !/^jq: \d+ compile errors?$/m.test(stderr)) return undefined;
  return truncate(errors.join('; '));
}

/**
 * A runtime error as `jq: error: <message>`, without jq's input location
 * (`(at <unknown>)`), which names our wrapper rather than anything the user wrote.
 */
export function describeRuntimeError(stderr: string): string | undefined {
  const lines = stderr.split('\n');
  const first = lines.findIndex((line) => line.startsWith('jq: error'));
  if (first === -1) return undefined;
  const message = lines
    .slice(first)
    .join(' ')
    .replace(/^jq: error \(at [^)]*\)/, 'jq: error')
    .trim();
  return truncate(message);
}

/** jq's `debug` and `stderr` builtins write here without failing the run. */
export function isOnlyDiagnostics(stderr: string): boolean {
  return stderr.split('\n').every((line) => line.trim() === '' || line.startsWith('["DEBUG:",'));
}

export function truncate(text: string, max = MAX_MESSAGE_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
