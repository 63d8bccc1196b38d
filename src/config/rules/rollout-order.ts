import { checkRolloutOrder } from '../check-rollout-order.js';
import type { Rule } from './rule.js';

/** A rollout task acts on verdicts, so it needs an assess task before it; a cycle is fixed first. */
export const rolloutOrder: Rule = {
  name: 'rollout-order',
  check(context) {
    if (context.found.some((d) => d.message.startsWith('dependency cycle:'))) return [];
    return checkRolloutOrder(context.experiment, context.at);
  },
};
