import type { LoopRecord } from '../../src/results/records.js';

/** A small loop record for the cluster-store tests: one version, one metric whose value is the loop number. */
export function storeLoop(number: number): LoopRecord {
  const at = new Date(Date.UTC(2025, 0, 1, 0, number)).toISOString();
  return {
    kind: 'loop',
    loop: number,
    experimentHash: 'sha256:x',
    experimentStart: at,
    start: at,
    end: at,
    durationMs: 0,
    status: 'completed',
    versions: ['v1'],
    tasks: [],
    metrics: [{ 'p/m': { value: number } }],
    slos: [],
  };
}
