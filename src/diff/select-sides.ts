/**
 * Which two loops `canary diff` compares: the latest valid loops of two files, two loops of one
 * file (--loops 3,7), or a pinned loop and the latest one (--pinned golden).
 */
import { UsageError } from '../errors.js';
import { readResults, type ResultHistory } from '../results/result-file.js';
import { pinnedLoop } from '../results/marks.js';
import { selectLoop } from '../results/select-loop.js';
import type { DiffInput } from './diff-loops.js';

export interface DiffRequest {
  /** One file (both sides from it) or two (A, B). */
  files: [string] | [string, string];
  /** Loop numbers (or `latest`) for A and B. */
  loops?: [string, string];
  /** A is the loop pinned under this name in A's file. */
  pinned?: string;
}

export function parseLoopPair(text: string): [string, string] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 2 || parts.some((p) => !/^([0-9]+|latest)$/.test(p))) {
    throw new UsageError(`--loops takes two loops, A,B (got ${JSON.stringify(text)})`, [
      'e.g. --loops 3,7 or --loops 3,latest',
    ]);
  }
  return parts as [string, string];
}

export async function selectSides(
  request: DiffRequest,
): Promise<{ a: DiffInput; b: DiffInput; warnings: string[] }> {
  if (request.loops && request.pinned !== undefined) {
    throw new UsageError('--loops and --pinned both choose loop A; give one of them');
  }
  if (request.files.length === 1 && !request.loops && request.pinned === undefined) {
    throw new UsageError('one result file needs --loops A,B or --pinned NAME', [
      'canary diff FILE --loops 3,7, canary diff FILE --pinned golden, or canary diff A.jsonl B.jsonl',
    ]);
  }
  const historyA = await readResults(request.files[0]);
  const historyB = request.files[1] !== undefined ? await readResults(request.files[1]) : historyA;
  const warnings = [...new Set([...historyA.warnings, ...historyB.warnings])];
  let a: DiffInput;
  if (request.pinned !== undefined) {
    const record = pinnedLoop(historyA, request.pinned);
    if (!record) {
      const names = Object.keys(historyA.pins ?? {});
      throw new UsageError(`no usable pin named ${request.pinned} in ${historyA.file}`, [
        names.length > 0
          ? `pins: ${names.join(', ')}`
          : `pin a loop first: canary results pin LOOP --as ${request.pinned}`,
      ]);
    }
    a = side(historyA, record.loop, request.pinned);
  } else {
    a = side(historyA, selectLoop(historyA, request.loops?.[0] ?? 'latest', 'loop A').loop);
  }
  const b = side(historyB, selectLoop(historyB, request.loops?.[1] ?? 'latest', 'loop B').loop);
  for (const [label, input] of [
    ['A', a],
    ['B', b],
  ] as const) {
    if (input.side.invalid !== undefined) {
      warnings.push(`loop ${label} (${input.side.loop}) is marked invalid: ${input.side.invalid}`);
    }
  }
  return { a, b, warnings };
}

function side(history: ResultHistory, loop: number, pin?: string): DiffInput {
  const record = history.loops.find((l) => l.loop === loop)!;
  const invalid = history.invalid?.[loop];
  return {
    record,
    side: {
      file: history.file,
      experiment: history.header?.experiment.metadata.name ?? 'unknown',
      loop,
      start: record.start,
      end: record.end,
      status: record.status,
      ...(pin !== undefined ? { pin } : {}),
      ...(invalid !== undefined ? { invalid } : {}),
    },
  };
}
