import type { RunEvent, RunObserver } from '../engine/events.js';
import { describeEvent } from './console-observer.js';
import { renderFrame } from './live-frame.js';
import { applyEvent, initialLiveState, type LiveState } from './live-state.js';

/** The part of a TTY stream the view uses (process.stderr; a fake in tests). */
export interface LiveTerminal {
  write(text: string): unknown;
  columns?: number;
  rows?: number;
  hasColors?(): boolean;
}

const hideCursor = '\x1b[?25l';
const showCursor = '\x1b[?25h';
const eraseDown = '\x1b[J';

/** The live view only where someone watches: a TTY, outside CI (CI logs want plain lines). */
export function shouldShowLiveView(
  stream: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const ci = env.CI;
  const inCi = ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
  return stream.isTTY === true && !inCi;
}

/**
 * A redrawn region at the bottom of the terminal: the current loop, each task with its state and
 * time, the last loop's SLOs and the countdown to the next tick. Task logs, finished loops and
 * warnings scroll above it, so the history stays in the scrollback. Redraws at most every
 * `intervalMs` (ANSI cursor-up and erase, no dependency); the cursor is restored on exit.
 */
export class LiveView implements RunObserver {
  private state: LiveState = initialLiveState();
  private timer: NodeJS.Timeout | undefined;
  private drawnLines = 0;
  private drawnFrame = '';
  private above: string[] = [];
  private readonly color: boolean;
  private readonly restoreOnExit = () => this.terminal.write(showCursor);

  constructor(
    private readonly terminal: LiveTerminal,
    private readonly options: { intervalMs?: number; now?: () => number } = {},
  ) {
    this.color = terminal.hasColors?.() === true;
  }

  onEvent(event: RunEvent): void {
    this.state = applyEvent(this.state, event);
    const line = scrollbackLine(event);
    if (line !== undefined) this.above.push(`${timestamp(this.now())} ${line}`);
    if (event.type === 'experiment-start') this.start();
    if (event.type === 'experiment-end') this.close();
  }

  /** A line (a warning, say) printed above the live region instead of through it. */
  print(line: string): void {
    if (this.timer === undefined) this.terminal.write(`${line}\n`);
    else this.above.push(line);
  }

  /** Draws the last frame and gives the terminal back; safe to call twice. */
  close(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.draw();
    this.terminal.write(showCursor);
    process.off('exit', this.restoreOnExit);
  }

  private start(): void {
    if (this.timer !== undefined) return;
    this.terminal.write(hideCursor);
    // A second Ctrl-C exits at once (process.exit): the cursor must come back then too.
    process.on('exit', this.restoreOnExit);
    // unref: the view never keeps a finished run alive.
    this.timer = setInterval(() => this.draw(), this.options.intervalMs ?? 100).unref();
    this.draw();
  }

  private draw(): void {
    const lines = renderFrame(this.state, {
      now: this.now(),
      ...(this.terminal.columns ? { width: this.terminal.columns } : {}),
      ...(this.terminal.rows ? { height: this.terminal.rows - 1 } : {}),
      color: this.color,
    });
    const frame = lines.map((line) => `${line}\n`).join('');
    if (frame === this.drawnFrame && this.above.length === 0) return;
    const back = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A\r` : '\r';
    const above = this.above.map((line) => `${line}\n`).join('');
    this.above = [];
    // One write per redraw, so the terminal never shows a half-erased region.
    this.terminal.write(`${back}${eraseDown}${above}${frame}`);
    this.drawnLines = lines.length;
    this.drawnFrame = frame;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

/** What stays in the scrollback: task logs, failures and each loop's outcome, as plain lines say them. */
function scrollbackLine(event: RunEvent): string | undefined {
  const failed =
    event.type === 'task-end' && (event.outcome.status === 'failed' || event.outcome.status === 'error');
  return event.type === 'task-log' || event.type === 'loop-end' || failed ? describeEvent(event) : undefined;
}

function timestamp(now: number): string {
  return new Date(now).toISOString().slice(11, 19);
}
