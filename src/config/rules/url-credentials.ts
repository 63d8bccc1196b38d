import type { Diagnostic, PathSegment } from '../diagnostics.js';
import type { Experiment } from '../experiment.js';
import type { At, Rule } from './rule.js';
import { hasUrlUserinfo, redactUrlUserinfo } from '../../util/url-secrets.js';

/**
 * A URL with userinfo (`http://user:pass@host/`) in a task's inputs, often from `--set`: canary
 * redacts it from what it writes, but the password still sits in a command line or a file. Say
 * where, without printing it, and how to read it from a secret instead.
 */
function checkUrlCredentials(experiment: Experiment, at: At): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const visit = (value: unknown, path: PathSegment[]): void => {
    if (typeof value === 'string') {
      if (hasUrlUserinfo(value))
        diagnostics.push(
          at(path, `URL with a user name and password in it (${redactUrlUserinfo(value)})`, {
            severity: 'warning',
            hint: 'remove user:pass@ and read the credentials from a secret: auth: {basic: {username: {env: USER}, password: {env: PASSWORD}}}',
          }),
        );
    } else if (Array.isArray(value)) value.forEach((item, i) => visit(item, [...path, i]));
    else if (value !== null && typeof value === 'object')
      for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
  };
  experiment.spec.tasks.forEach((task, i) => visit(task.with, ['spec', 'tasks', i, 'with']));
  return diagnostics;
}

export const urlCredentials: Rule = {
  name: 'url-credentials',
  check: ({ experiment, at }) => checkUrlCredentials(experiment, at),
};
