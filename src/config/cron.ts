import { CronExpressionParser } from 'cron-parser';

const macros = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly']);

/** Why a cron expression is unusable, or undefined when it is fine. 5 fields, or 6 with seconds first. */
export function checkCron(expression: string): string | undefined {
  const trimmed = expression.trim();
  if (macros.has(trimmed)) return undefined;
  const fields = trimmed.split(/\s+/).filter(Boolean).length;
  if (fields !== 5 && fields !== 6) {
    return `a cron expression has 5 fields (minute hour day month weekday) or 6 with seconds first; got ${fields}`;
  }
  try {
    CronExpressionParser.parse(trimmed);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The first tick strictly after `after`. */
export function nextTick(expression: string, after: Date): Date {
  return CronExpressionParser.parse(expression.trim(), { currentDate: after }).next().toDate();
}
