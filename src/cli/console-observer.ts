import type { RunEvent, RunObserver } from '../engine/events.js';
import { countGates, describeGateCounts } from '../results/verdict-counts.js';
import { formatDuration } from '../util/duration.js';
import { formatRfc3339 } from '../util/rfc3339.js';
import { redactUrlUserinfo } from '../util/url-secrets.js';
import { showControlCharacters } from '../util/show-control-characters.js';

/** Plain, timestamped progress lines (stderr), readable in a terminal and in CI logs alike. */
export class ConsoleObserver implements RunObserver {
  constructor(private readonly write: (line: string) => void) {}

  onEvent(event: RunEvent): void {
    const line = describeEvent(event);
    if (line) this.write(`${new Date().toISOString().slice(11, 19)} ${line}`);
  }
}

/** One progress line for an event, or none (the live view reuses these for its scrollback). */
export function describeEvent(event: RunEvent): string | undefined {
  const line = describeEventText(event);
  // No URL's userinfo (user:pass@) in a log. Task logs may span lines; any other control character (from a backend, a name) is shown escaped.
  return line === undefined ? undefined : showControlCharacters(redactUrlUserinfo(line), '\n');
}

function describeEventText(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'experiment-start':
      return `experiment ${event.plan.experiment.name}: ${event.plan.tasks.length} tasks${event.plan.schedule ? `, schedule "${event.plan.schedule}"` : ''}`;
    case 'loop-start':
      return `loop ${event.loop} started${event.evaluationTime ? ` (retrospective: evaluating ${formatRfc3339(event.evaluationTime)})` : ''}`;
    case 'task-end': {
      const o = event.outcome;
      const took = o.durationMs !== undefined ? ` in ${formatDuration(o.durationMs)}` : '';
      return `  ${o.id} (${o.task}): ${o.status}${took}${o.message ? ` - ${o.message}` : ''}`;
    }
    case 'task-log':
      return `  ${event.id}: ${event.message}`;
    case 'loop-end': {
      const r = event.record;
      const slos = r.slos.length > 0 ? `, SLOs ${describeGateCounts(countGates(r.slos))}` : '';
      return `loop ${r.loop} ${r.status} in ${formatDuration(r.durationMs)}${slos}`;
    }
    case 'wait':
      return `next loop (${event.loop}) at ${event.until.toISOString()}`;
    case 'experiment-end':
      return `experiment ended (${event.reason}) after ${event.loops} loop${event.loops === 1 ? '' : 's'}`;
    default:
      return undefined;
  }
}
