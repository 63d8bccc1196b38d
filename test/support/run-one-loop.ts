import { expect } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { runLoop, type LoopOptions } from '../../src/engine/run-loop.js';

/**
 * Loads `file` (relative to `dir`), expects it valid, and runs loop 1 of it in-process, the
 * experiment having started `startedSecondsAgo` before (a Prometheus window needs a start).
 */
export async function runOneLoop(
  dir: string,
  options: {
    file?: string;
    env?: Record<string, string>;
    startedSecondsAgo?: number;
    /** Expect no diagnostics at all, warnings included (by default only errors fail). */
    noWarnings?: boolean;
    extra?: Partial<LoopOptions>;
  } = {},
) {
  const env = options.env ?? {};
  const loaded = await loadExperiment({ file: options.file ?? 'e.yaml', cwd: dir, env });
  expect(
    options.noWarnings ? loaded.diagnostics : loaded.diagnostics.filter((d) => d.severity === 'error'),
  ).toEqual([]);
  return runLoop({
    plan: loaded.plan!,
    registry: loaded.registry,
    loop: 1,
    experimentHash: 'sha256:x',
    experimentDir: dir,
    experimentStart: new Date(Date.now() - (options.startedSecondsAgo ?? 60) * 1000),
    env,
    values: {},
    signal: new AbortController().signal,
    observers: [],
    ...options.extra,
  });
}
