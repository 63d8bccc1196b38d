/**
 * The step and time budget of one template render (nunjucks and Go templates alike). Rendering is
 * synchronous, so no timer can stop it: the interpreters charge a step for each loop iteration,
 * range item, macro or template call, and stop with an error when either limit is passed.
 */

/** Far above what a canary template does (thousands of steps), far below a hang. */
export const MAX_TEMPLATE_STEPS = 1_000_000;
export const MAX_TEMPLATE_MS = 2_000;
/** A string longer than this, built by a template, ends the render (string doubling in a loop). */
export const MAX_TEMPLATE_STRING_LENGTH = 16 * 1024 * 1024;
const CLOCK_EVERY_STEPS = 1024;

export class TemplateBudgetError extends Error {}

export class TemplateBudget {
  private steps = 0;
  private readonly deadline: number;

  constructor(
    private readonly maxSteps = MAX_TEMPLATE_STEPS,
    private readonly maxMs = MAX_TEMPLATE_MS,
  ) {
    this.deadline = Date.now() + maxMs;
  }

  /** Charges `count` steps; throws when the render is over its budget. */
  charge(count = 1): void {
    const before = this.steps;
    this.steps += count;
    if (this.steps > this.maxSteps)
      throw new TemplateBudgetError(
        `the template stopped after ${this.maxSteps.toLocaleString('en-US')} steps (loop iterations, range items and calls); ` +
          'nested loops or recursion this large are not supported',
      );
    if (
      Math.floor(before / CLOCK_EVERY_STEPS) !== Math.floor(this.steps / CLOCK_EVERY_STEPS) &&
      Date.now() > this.deadline
    )
      throw new TemplateBudgetError(`the template ran longer than ${this.maxMs / 1000}s and was stopped`);
  }

  /** Refuses a string too long for a template to have a reason to build. */
  checkString(value: unknown): void {
    if (typeof value === 'string' && value.length > MAX_TEMPLATE_STRING_LENGTH)
      throw new TemplateBudgetError(
        `the template built a string of more than ${MAX_TEMPLATE_STRING_LENGTH / 2 ** 20} Mi characters and was stopped`,
      );
  }
}
