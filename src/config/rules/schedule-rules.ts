import { checkCron } from '../cron.js';
import type { Rule } from './rule.js';

export const cronSchedule: Rule = {
  name: 'cron-schedule',
  check({ experiment, at }) {
    const schedule = experiment.spec.schedule;
    const problem = schedule !== undefined ? checkCron(schedule) : undefined;
    if (!problem) return [];
    return [
      at(['spec', 'schedule'], `invalid cron expression: ${problem}`, {
        hint: 'for example "*/1 * * * *" (every minute) or "*/10 * * * * *" (every 10 s)',
      }),
    ];
  },
};

export const maxLoopsNeedsSchedule: Rule = {
  name: 'max-loops-needs-schedule',
  check({ experiment, at }) {
    const { maxLoops, schedule } = experiment.spec;
    if (maxLoops === undefined || schedule !== undefined || maxLoops <= 1) return [];
    return [
      at(['spec', 'maxLoops'], 'maxLoops has no effect without spec.schedule', {
        severity: 'warning',
        hint: 'add a cron schedule, or use `canary run --loops N`',
      }),
    ];
  },
};
