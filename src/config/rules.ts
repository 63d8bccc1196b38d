import type { Diagnostic } from './diagnostics.js';
import type { Rule, RuleContext } from './rules/rule.js';
import { cronSchedule, maxLoopsNeedsSchedule } from './rules/schedule-rules.js';
import {
  conditions,
  dependencyCycles,
  knownNeeds,
  knownTasks,
  taskInputs,
  taskKind,
  uniqueTaskIds,
} from './rules/task-rules.js';
import { sloMetricsProduced } from './rules/slo-metrics-produced.js';
import { printableNames } from './rules/printable-names.js';
import { rolloutOrder } from './rules/rollout-order.js';
import { urlCredentials } from './rules/url-credentials.js';

export type { At, RawExperiment, RawTask, Rule, RuleContext } from './rules/rule.js';

/**
 * The checks of a well-shaped experiment, in order. A rule sees what the rules before it found
 * (`context.found`): slo-metrics-produced stays quiet about tasks with errors.
 */
export const rules: readonly Rule[] = [
  cronSchedule,
  maxLoopsNeedsSchedule,
  taskKind,
  uniqueTaskIds,
  knownNeeds,
  conditions,
  knownTasks,
  taskInputs,
  dependencyCycles,
  sloMetricsProduced,
  rolloutOrder,
  printableNames,
  urlCredentials,
];

export async function checkRules(context: Omit<RuleContext, 'found'>): Promise<Diagnostic[]> {
  const found: Diagnostic[] = [];
  for (const rule of rules) found.push(...(await rule.check({ ...context, found })));
  return found;
}
