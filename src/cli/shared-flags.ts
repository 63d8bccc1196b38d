import { Args, Flags } from '@oclif/core';
import { UsageError } from '../errors.js';

/** Flags several commands share, defined once so their help and behaviour stay the same. */

export const assertionFlags = {
  completed: Flags.boolean({ description: 'The latest loop ran every task', default: false }),
  nofailure: Flags.boolean({ description: 'No task of the latest loop failed', default: false }),
  slos: Flags.boolean({
    description: 'Every SLO of the latest loop holds for every version',
    default: false,
  }),
  timeout: Flags.string({ description: 'Keep polling this long (e.g. 60s) until the conditions hold' }),
};

export const reportFormatFlag = {
  output: Flags.string({
    char: 'o',
    description: 'Output format',
    options: ['text', 'json', 'markdown', 'html', 'openmetrics'],
    default: 'text',
  }),
};

export const githubSummaryFlag = {
  'github-summary': Flags.boolean({
    description:
      'In GitHub Actions, append the markdown report to the job summary (--no-github-summary: do not)',
    default: true,
    allowNo: true,
  }),
};

/** The loop that `results pin|invalidate` and their `k results` twins mark. */
export const loopArgs = {
  loop: Args.string({ description: 'Loop number, or latest', required: true }),
};

export const pinNameFlag = {
  as: Flags.string({ description: 'Pin name (letters, digits, _ . -)', required: true }),
};

export const invalidateReasonFlag = {
  reason: Flags.string({ description: 'Why the loop must not be compared', required: true }),
};

/** The asked conditions and the --timeout in ms; asking for nothing or a bad duration is a usage error. */
export async function readAssertionFlags(flags: {
  completed: boolean;
  nofailure: boolean;
  slos: boolean;
  timeout?: string;
}): Promise<{ completed: boolean; nofailure: boolean; slos: boolean; timeoutMs: number }> {
  if (!flags.completed && !flags.nofailure && !flags.slos) {
    throw new UsageError('nothing to assert', ['add one or more of --completed --nofailure --slos']);
  }
  const { parseDuration, DurationSyntaxError } = await import('../util/duration.js');
  let timeoutMs = 0;
  if (flags.timeout !== undefined) {
    try {
      timeoutMs = parseDuration(flags.timeout);
    } catch (error) {
      if (error instanceof DurationSyntaxError) throw new UsageError(`--timeout: ${error.message}`);
      throw error;
    }
  }
  return { completed: flags.completed, nofailure: flags.nofailure, slos: flags.slos, timeoutMs };
}

/** The result file, for commands over history (`-r` for short). */
export const resultsFileFlag = {
  results: Flags.string({
    char: 'r',
    description: 'Result file (default: the only file in ./canary-results)',
  }),
};
