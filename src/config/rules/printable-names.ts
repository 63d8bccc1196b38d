import type { Diagnostic } from '../diagnostics.js';
import type { Experiment } from '../experiment.js';
import type { At, Rule } from './rule.js';
import type { AssessInput } from '../../tasks/assess/assess-input.js';
import { sloMetricReferences } from '../../tasks/assess/slo-rules.js';
import { hasControlCharacters, showControlCharacters } from '../../util/show-control-characters.js';

const hint = 'names appear in terminals and reports: use printable characters only';

/**
 * Version and metric names go into progress lines, reports and labels; a control character in one
 * (an ANSI escape, a bell) would act on the reader's terminal, so such a name is an error.
 */
function checkPrintableNames(experiment: Experiment, at: At): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  experiment.spec.versions?.forEach((name, i) => {
    if (hasControlCharacters(name))
      diagnostics.push(
        at(['spec', 'versions', i], `version name ${quoted(name)} has a control character`, { hint }),
      );
  });
  experiment.spec.tasks.forEach((task, i) => {
    if (task.task !== 'assess') return;
    let references: ReturnType<typeof sloMetricReferences> = [];
    try {
      references = sloMetricReferences(task.with as AssessInput);
    } catch {
      return; // inputs the schema rejected: reported there
    }
    for (const { metric, path, atKey } of references) {
      if (!hasControlCharacters(metric)) continue;
      diagnostics.push(
        at(
          ['spec', 'tasks', i, 'with', ...path],
          `metric name ${quoted(metric)} has a control character`,
          { hint },
          atKey,
        ),
      );
    }
  });
  return diagnostics;
}

function quoted(name: string): string {
  return `"${showControlCharacters(name)}"`;
}

export const printableNames: Rule = {
  name: 'printable-names',
  check: ({ experiment, at }) => checkPrintableNames(experiment, at),
};
