/** `canary results list`: every loop with its status, SLO counts, pins and invalid marks. */
import { verdictGate } from './records.js';
import type { ResultHistory } from './result-file.js';
import { pinsByLoop } from './marks.js';
import { showControlCharacters } from '../util/show-control-characters.js';

export interface LoopListing {
  file: string;
  loops: Array<{
    loop: number;
    start: string;
    status: string;
    versions: string[];
    slos: { pass: number; fail: number; other: number };
    pins: string[];
    /** Why the loop was invalidated; such loops are left out of comparisons and trends. */
    invalid?: string;
  }>;
  /** Loops retention compacted into aggregates (`canary report` shows their counts). */
  compacted?: { loops: number; firstLoop?: number; lastLoop?: number };
  /** Invalid loops that were compacted away: only their number and reason remain. */
  compactedInvalid: Array<{ loop: number; reason: string }>;
}

export function listLoops(history: ResultHistory): LoopListing {
  const pins = pinsByLoop(history);
  const held = new Set(history.loops.map((l) => l.loop));
  const earlier = history.earlier;
  return {
    file: history.file,
    loops: history.loops.map((record) => {
      const gates = record.slos.map(verdictGate);
      const pass = gates.filter((g) => g === 'pass').length;
      const fail = gates.filter((g) => g === 'fail').length;
      const invalid = history.invalid?.[record.loop];
      return {
        loop: record.loop,
        start: record.start,
        status: record.status,
        versions: record.versions,
        slos: { pass, fail, other: gates.length - pass - fail },
        pins: pins.get(record.loop) ?? [],
        ...(invalid !== undefined ? { invalid } : {}),
      };
    }),
    ...(earlier && earlier.loops > 0
      ? {
          compacted: {
            loops: earlier.loops,
            ...(earlier.firstLoop !== undefined ? { firstLoop: earlier.firstLoop } : {}),
            ...(earlier.lastLoop !== undefined ? { lastLoop: earlier.lastLoop } : {}),
          },
        }
      : {}),
    compactedInvalid: Object.entries(history.invalid ?? {})
      .filter(([loop]) => !held.has(Number(loop)))
      .map(([loop, reason]) => ({ loop: Number(loop), reason })),
  };
}

export function renderLoopListing(listing: LoopListing): string {
  // Reasons and pin names come from users: their control characters are shown, never sent.
  return showControlCharacters(renderListing(listing), '\n');
}

function renderListing(listing: LoopListing): string {
  const rows = listing.loops.map((l) => [
    String(l.loop),
    l.start,
    l.status,
    `${l.slos.pass} pass, ${l.slos.fail} fail${l.slos.other ? `, ${l.slos.other} other` : ''}`,
    [
      ...l.pins.map((p) => `pinned: ${p}`),
      ...(l.invalid !== undefined ? [`INVALID: ${l.invalid}`] : []),
    ].join('; '),
  ]);
  const header = ['loop', 'start', 'status', 'SLOs', 'marks'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const lines = [`${listing.file}`];
  if (listing.compacted) {
    const { loops, firstLoop, lastLoop } = listing.compacted;
    lines.push(`${loops} earlier loops (${firstLoop ?? '?'}-${lastLoop ?? '?'}) compacted into aggregates`);
  }
  for (const { loop, reason } of listing.compactedInvalid) {
    lines.push(`loop ${loop}: compacted away, was INVALID: ${reason}`);
  }
  if (rows.length === 0) lines.push('no loops held in full');
  else lines.push(line(header), ...rows.map(line));
  return `${lines.join('\n')}\n`;
}
