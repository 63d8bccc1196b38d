import { UsageError } from '../errors.js';
import type { ExitCodeValue } from '../exit-codes.js';
import type { Output } from '../cli/run-experiment-command.js';
import { runDemoExperiment } from './run-demo-experiment.js';
import { startModelServer, type ServedVersion } from '../model-server/start-model-server.js';
import { hasPrometheus, startPrometheus, waitForTargets, type PrometheusServer } from './local-prometheus.js';

export interface DemoOptions {
  /** How the load reaches the model: KServe V1 REST (the http task) or KServe V2 gRPC (the grpc task). */
  protocol?: 'http' | 'grpc';
  /** sklearn-iris (default) or an emulated vLLM driven by the llm task. */
  model?: 'sklearn-iris' | 'llm';
  canaryDelayMs: number;
  /** Median of the simulated model latency, both revisions (see fault-injection). */
  modelLatencyMs?: number;
  /** As typed, validated here: a fraction from 0 to 1. */
  canaryErrorRate: string;
  loops: number;
  prometheus: boolean;
  quiet: boolean;
  results?: string;
}

/** Start the model's two revisions (and Prometheus when there is one), run the demo experiment, stop all. */
export async function runDemo(options: DemoOptions, output: Output): Promise<ExitCodeValue> {
  const errorRate = Number(options.canaryErrorRate);
  if (
    options.canaryErrorRate.trim() === '' ||
    !Number.isFinite(errorRate) ||
    errorRate < 0 ||
    errorRate > 1
  ) {
    throw new UsageError(`--canary-error-rate must be a number from 0 to 1 (got ${options.canaryErrorRate})`);
  }
  if (options.model === 'llm') {
    const { runLlmDemo } = await import('./run-llm-demo.js');
    return runLlmDemo({ ...options, errorRate }, output);
  }
  const models = await startModelServer({
    versions: [
      {
        revisionName: 'sklearn-iris-predictor-default-00001',
        model: 'logistic-regression',
        modelLatencyMs: options.modelLatencyMs,
        seed: 1,
      },
      {
        revisionName: 'sklearn-iris-predictor-default-00002',
        model: 'decision-tree',
        modelLatencyMs: options.modelLatencyMs,
        seed: 2,
        delayMs: options.canaryDelayMs,
        errorRate,
      },
    ],
  });
  let prometheus: PrometheusServer | undefined;
  try {
    const [baseline, candidate] = models.versions;
    const grpc = options.protocol === 'grpc';
    const at = (version: ServedVersion) =>
      grpc ? `${version.grpcTarget} (KServe V2 gRPC)` : version.predictUrl;
    output.warn(`serving revision 00001 (baseline) at ${at(baseline!)}`);
    output.warn(`serving revision 00002 (candidate) at ${at(candidate!)}`);
    if (options.prometheus && (await hasPrometheus())) {
      prometheus = await startPrometheus({
        scrapeTargets: models.versions.map((v) => new URL(v.url).host),
        scrapeInterval: '1s',
      });
      output.warn(`Prometheus at ${prometheus.url} scrapes both revisions every second`);
      if (!(await waitForTargets(prometheus, models.versions.length)))
        output.warn('Prometheus has not scraped both revisions yet; the first loop may lack data');
    } else if (options.prometheus) {
      output.warn(
        `Prometheus is not installed: judging the ${grpc ? 'grpc' : 'http'} task's own measurements instead`,
      );
      output.warn(
        '  (install it, e.g. `apt-get install prometheus`, to see the kserve-prometheus template at work)',
      );
    }
    const sets = [
      ...(grpc
        ? [`baselineHost=${baseline!.grpcTarget}`, `candidateHost=${candidate!.grpcTarget}`]
        : [`baselineUrl=${baseline!.predictUrl}`, `candidateUrl=${candidate!.predictUrl}`]),
      `prometheus=${prometheus !== undefined}`,
      `loops=${options.loops}`,
      ...(prometheus ? [`prometheusURL=${prometheus.queryUrl}`] : []),
    ];
    return await runDemoExperiment(
      grpc ? 'demo-grpc.yaml' : 'demo.yaml',
      sets,
      { quiet: options.quiet, results: options.results, pruneArchives: true },
      output,
    );
  } finally {
    await prometheus?.stop();
    await models.stop();
  }
}
