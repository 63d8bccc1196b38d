/**
 * Metric names of the llm task, apart from the code that records them: validate needs the names
 * without loading the HDR histogram library that only a run uses.
 */
import { percentileMetricName } from '../http/http-metric-names.js';

export const llmProvider = 'llm';

/** The three distributions, each recorded with -mean, -stddev, -min, -max and -pNN, in ms. */
export const llmDistributions = [
  { base: 'ttft', label: 'time to first token' },
  { base: 'itl', label: 'inter-token latency' },
  { base: 'e2e-latency', label: 'end-to-end latency' },
] as const;

/** Every metric name the task records, for validate's check of SLO metric names. */
export function llmMetricNames(percentiles: readonly number[]): string[] {
  const names = [
    'request-count',
    'error-count',
    'error-rate',
    'tpot-mean',
    'output-tokens-mean',
    'input-tokens-mean',
  ];
  names.push('output-tokens-per-second', 'requests-per-second');
  for (const { base } of llmDistributions) {
    names.push(base, `${base}-mean`, `${base}-stddev`, `${base}-min`, `${base}-max`);
    names.push(...percentiles.map((p) => percentileMetricName(p, base)));
  }
  return names.map((name) => `${llmProvider}/${name}`);
}
