import type { TaskProblem } from './task-definition.js';

/**
 * A credential header (Authorization, X-Api-Key, ...) written into the experiment as a literal: the
 * experiment is copied into every result file's header record and into reports, so say how to read
 * it from a secret instead. `path` ends at the header's name.
 */
export function literalCredentialWarning(path: Array<string | number>, name: string): TaskProblem {
  return {
    severity: 'warning',
    path,
    message: `header ${name} looks like a credential written into the experiment`,
    hint: `read it from a secret: headersFrom: {${name}: {env: VARIABLE, prefix: "Bearer "}} (or {file: path})`,
    atKey: true,
    // The warning must not print the credential it warns about (the excerpt would show it).
    concealValue: true,
  };
}
