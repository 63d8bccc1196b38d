import type { ExperimentRunOptions } from '../../../src/engine/run-experiment.js';
import type { Plan } from '../../../src/plan/plan.js';
import type { LoopRecord, RolloutDecision } from '../../../src/results/records.js';
import type { RolloutInput } from '../../../src/tasks/rollout/rollout.js';
import type { FakeCluster } from '../../support/fake-kube-api/index.js';
import { makePlan, registryOf } from '../../engine/helpers.js';

export interface RolloutExperiment {
  cluster: FakeCluster;
  /** The candidate's error rate each loop scores; null records "no data". */
  errorRates: ReadonlyArray<number | null>;
  /** The rollout task's `target` input. */
  target: Readonly<Record<string, string>>;
  rollout?: Partial<RolloutInput>;
  /** Plays the KServe controller before each measurement; omit for none. */
  reconcile?: () => void;
  /** The SLO on m/error-rate: a bare limit, or a limit with its no-data policy. */
  slo?: number | { limit: number; onNoData: string };
  experiment?: Plan['experiment'];
  hash: string;
  extra?: Partial<ExperimentRunOptions>;
}

/**
 * An experiment of three tasks: `measure` plays the metrics provider (the error rate each loop
 * scores) after letting the simulated controller route the traffic; the real `assess` judges
 * it; the real `rollout` acts on the verdict.
 */
export function rolloutExperiment({
  cluster,
  errorRates,
  target,
  rollout = {},
  reconcile,
  slo = 0.01,
  experiment,
  hash,
  extra = {},
}: RolloutExperiment): ExperimentRunOptions {
  const registry = registryOf({
    measure: async (_input, context) => {
      reconcile?.();
      const value = errorRates[context.loop - 1];
      context.metrics.record(
        0,
        'm/error-rate',
        value ?? null,
        value === null ? { reason: 'no requests' } : {},
      );
    },
  });
  const plan = makePlan(
    [
      { id: 'measure' },
      { id: 'assess', needs: ['measure'], with: { SLOs: { upper: { 'm/error-rate': slo } } } },
      { id: 'rollout', needs: ['assess'], with: { target, ...rollout } },
    ],
    { versions: ['candidate'], ...(experiment ? { experiment } : {}) },
  );
  return {
    plan,
    registry,
    experimentHash: hash,
    experimentDir: cluster.dir,
    firstLoop: 1,
    loops: errorRates.length,
    env: cluster.env,
    signal: new AbortController().signal,
    observers: [],
    ...extra,
  };
}

/** The rollout task's decision, loop by loop. */
export function decisions(loops: readonly LoopRecord[]): RolloutDecision[] {
  return loops.map((loop) => loop.tasks.find((t) => t.id === 'rollout')!.decision!);
}

/** Each loop's decision as "action from->to". */
export function moves(loops: readonly LoopRecord[]): string[] {
  return decisions(loops).map((d) => `${d.action} ${d.from}->${d.to}`);
}
