import { formatDuration } from '../util/duration.js';
import type { LiveState, LiveTask, LiveTaskState, LoopSummary } from './live-state.js';
import { showControlCharacters } from '../util/show-control-characters.js';

export interface FrameOptions {
  /** Epoch milliseconds the frame is drawn at (elapsed times, countdown, spinner). */
  now: number;
  /** Terminal columns: longer lines are cut, since a wrapped line breaks the redraw arithmetic. */
  width?: number;
  /** Terminal rows: a taller frame could not be moved over, so tasks are summarized to fit. */
  height?: number;
  color?: boolean;
}

type Color = 'green' | 'red' | 'yellow' | 'cyan' | 'dim';

const ansi: Record<Color, string> = {
  green: '\x1b[32m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
  dim: '\x1b[2m',
};

const spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

const glyphs: Record<Exclude<LiveTaskState, 'running'>, { glyph: string; color: Color }> = {
  pending: { glyph: '○', color: 'dim' },
  completed: { glyph: '✔', color: 'green' },
  skipped: { glyph: '↷', color: 'dim' },
  failed: { glyph: '✘', color: 'red' },
  error: { glyph: '✘', color: 'red' },
  'not-run': { glyph: '·', color: 'dim' },
  interrupted: { glyph: '!', color: 'yellow' },
};

/** A line: plain text plus, optionally, one character to paint (the glyph), at `at`. */
interface Line {
  text: string;
  paint?: { at: number; length: number; color: Color };
}

/** Pure: the live region for a state at a moment, as lines without newlines. */
export function renderFrame(state: LiveState, options: FrameOptions): string[] {
  const head = [headerLine(state, options.now)];
  const foot = footerLines(state, options.now);
  const room =
    options.height !== undefined ? Math.max(1, options.height - head.length - foot.length) : Infinity;
  const lines = [...head, ...taskLines(state.tasks, options.now, room), ...foot];
  return lines.map((line) => finishLine(line, options));
}

function headerLine(state: LiveState, now: number): Line {
  const name = `canary ▸ ${state.experiment}`;
  if (state.end) {
    const loops = `${state.end.loops} loop${state.end.loops === 1 ? '' : 's'}`;
    return { text: `${name} · ended (${state.end.reason}) after ${loops}` };
  }
  if (state.loop === undefined) return { text: `${name} · starting` };
  if (state.inLoop && state.loopStartedAt !== undefined) {
    return { text: `${name} · loop ${state.loop} · ${formatElapsed(now - state.loopStartedAt)}` };
  }
  return { text: `${name} · loop ${state.loop} done` };
}

function taskLines(tasks: readonly LiveTask[], now: number, room: number): Line[] {
  if (tasks.length <= room) return tasks.map((t) => taskLine(t, now));
  // Too many to show: keep the ones worth watching (running, failed), count the others.
  const watched = tasks.filter((t) => !['pending', 'completed', 'skipped', 'not-run'].includes(t.state));
  const shown = watched.slice(0, Math.max(0, room - 1));
  const hidden = tasks.filter((t) => !shown.includes(t));
  const counts = new Map<LiveTaskState, number>();
  for (const t of hidden) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  const summary = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
  return [...shown.map((t) => taskLine(t, now)), { text: `  … ${summary}` }];
}

function taskLine(task: LiveTask, now: number): Line {
  const { glyph, color } =
    task.state === 'running'
      ? { glyph: spinner[Math.floor(now / 100) % spinner.length] ?? '*', color: 'cyan' as const }
      : glyphs[task.state];
  const label = task.task === task.id ? task.id : `${task.id} (${task.task})`;
  const time =
    task.state === 'running' && task.startedAt !== undefined
      ? formatElapsed(now - task.startedAt)
      : task.durationMs !== undefined && task.state !== 'pending'
        ? formatTaken(task.durationMs)
        : '';
  const state = task.state === 'completed' || task.state === 'pending' ? '' : ` ${task.state}`;
  const shown = task.message && task.state !== 'completed' ? firstLine(task.message) : '';
  const message = shown && shown !== task.state ? ` - ${shown}` : '';
  return {
    text: `  ${glyph} ${label.padEnd(24)} ${time.padStart(7)}${state}${message}`.trimEnd(),
    paint: { at: 2, length: glyph.length, color },
  };
}

function footerLines(state: LiveState, now: number): Line[] {
  const lines: Line[] = [];
  if (state.lastLoop) lines.push({ text: describeLoop(state.lastLoop) });
  if (state.nextLoop && !state.end && !state.inLoop) {
    const left = Math.max(0, state.nextLoop.at - now);
    lines.push({ text: `next loop (${state.nextLoop.loop}) in ${formatCountdown(left)}` });
  }
  return lines;
}

function describeLoop(loop: LoopSummary): string {
  const { pass, fail, nodata } = loop.slos;
  const slos = pass + fail + nodata > 0 ? ` · SLOs ${pass} pass / ${fail} fail / ${nodata} no data` : '';
  return `last loop ${loop.loop}: ${loop.status} in ${formatDuration(loop.durationMs)}${slos}`;
}

/** Tenths of a second below a minute, so a running task visibly moves. */
export function formatElapsed(ms: number): string {
  const clamped = Math.max(0, ms);
  if (clamped < 60_000) return `${(Math.floor(clamped / 100) / 10).toFixed(1)}s`;
  return formatClock(Math.floor(clamped / 1000));
}

/** A finished task's time: milliseconds below a second (a fast task is not "0.0s"). */
export function formatTaken(ms: number): string {
  return ms < 1000 ? `${Math.round(Math.max(0, ms))}ms` : formatElapsed(ms);
}

/** Whole seconds, rounded up: "in 0s" only when the tick has come. */
export function formatCountdown(ms: number): string {
  const seconds = Math.ceil(Math.max(0, ms) / 1000);
  return seconds < 60 ? `${seconds}s` : formatClock(seconds);
}

function formatClock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}h${two(m)}m${two(s)}s` : `${m}m${two(s)}s`;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

function finishLine(line: Line, options: FrameOptions): string {
  // Names and messages come from outside canary: their control characters are shown, never sent.
  const shown = showControlCharacters(line.text);
  const text = options.width !== undefined ? cut(shown, Math.max(1, options.width - 1)) : shown;
  if (!options.color || !line.paint || line.paint.at + line.paint.length > text.length) return text;
  const { at, length, color } = line.paint;
  return `${text.slice(0, at)}${ansi[color]}${text.slice(at, at + length)}\x1b[0m${text.slice(at + length)}`;
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
