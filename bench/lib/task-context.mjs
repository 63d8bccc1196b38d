/**
 * A task context for running one task directly, outside a loop: no versions, no SLOs, logs dropped.
 * `overrides` replaces any field (taskId, versions, slos, ...).
 */
export function benchTaskContext(metrics, overrides = {}) {
  return {
    taskId: 'bench',
    loop: 1,
    experiment: { name: 'bench' },
    versions: [],
    experimentDir: process.cwd(),
    experimentStart: new Date(),
    env: {},
    workDir: process.cwd(),
    signal: new AbortController().signal,
    metrics,
    slos: [],
    log: () => {},
    ...overrides,
  };
}
