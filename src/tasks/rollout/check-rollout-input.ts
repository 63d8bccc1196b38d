/** What `canary validate` can tell about rollout inputs beyond the schema. */
import type { TaskProblem } from '../task-definition.js';
import type { RolloutInput } from './rollout-input.js';

export function checkRolloutInput(input: RolloutInput): TaskProblem[] {
  const { target } = input;
  if (target.resource === 'llminferenceservices' && target.candidate === target.baseline) {
    return [
      {
        severity: 'error',
        path: ['target', 'baseline'],
        message: `the baseline is the candidate ("${target.candidate}")`,
        hint: 'name the LLMInferenceService the candidate replaces, in the same route group',
      },
    ];
  }
  const steps = input.steps;
  if (!steps) return [];
  for (let i = 1; i < steps.length; i++) {
    if (steps[i]! <= steps[i - 1]!) {
      return [
        {
          severity: 'error',
          path: ['steps', i],
          message: `steps must rise: ${steps[i]} comes after ${steps[i - 1]}`,
          hint: 'e.g. steps: [10, 50, 100]',
        },
      ];
    }
  }
  if (steps.at(-1) !== 100) {
    return [
      {
        severity: 'warning',
        path: ['steps'],
        message: `the last step is ${steps.at(-1)}%, so the candidate is never promoted`,
        hint: 'end the steps with 100 to promote when every step passed',
      },
    ];
  }
  return [];
}
