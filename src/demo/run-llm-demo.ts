import type { ExitCodeValue } from '../exit-codes.js';
import type { Output } from '../cli/run-experiment-command.js';
import { runDemoExperiment } from './run-demo-experiment.js';
import { startLlmServer, type ServedLlm } from '../model-server/llm/llm-server.js';
import { emulatedModel, llmBaselineRevision, llmCandidateRevision } from '../model-server/llm/serve-llm.js';
import { hasPrometheus, startPrometheus, waitForTargets, type PrometheusServer } from './local-prometheus.js';
import type { DemoOptions } from './run-demo.js';

/** The LLM seed story: two emulated vLLM revisions, the llm task, vLLM metrics on Prometheus, LLM SLOs. */
export async function runLlmDemo(
  options: DemoOptions & { errorRate: number },
  output: Output,
): Promise<ExitCodeValue> {
  const common = { model: emulatedModel, firstTokenDelayMs: 50, tokenIntervalMs: 10, jitter: 0.2 };
  const servers: ServedLlm[] = [];
  let prometheus: PrometheusServer | undefined;
  try {
    servers.push(await startLlmServer({ ...common, revisionName: llmBaselineRevision, seed: 1 }));
    servers.push(
      await startLlmServer({
        ...common,
        revisionName: llmCandidateRevision,
        seed: 2,
        firstTokenDelayMs: common.firstTokenDelayMs + options.canaryDelayMs,
        errorRate: options.errorRate,
      }),
    );
    const [baseline, candidate] = servers as [ServedLlm, ServedLlm];
    output.warn(`serving ${llmBaselineRevision} (baseline) at ${baseline.url}`);
    output.warn(`serving ${llmCandidateRevision} (candidate) at ${candidate.url}`);
    if (options.prometheus && (await hasPrometheus())) {
      prometheus = await startPrometheus({
        scrapeTargets: servers.map((s) => new URL(s.metricsUrl).host),
        scrapeInterval: '1s',
      });
      output.warn(`Prometheus at ${prometheus.url} scrapes both revisions' vLLM metrics every second`);
      if (!(await waitForTargets(prometheus, servers.length)))
        output.warn('Prometheus has not scraped both revisions yet; the first loop may lack data');
    } else if (options.prometheus) {
      output.warn("Prometheus is not installed: judging the llm task's own measurements instead");
    }
    const sets = [
      `baselineUrl=${baseline.url}`,
      `candidateUrl=${candidate.url}`,
      `prometheus=${prometheus !== undefined}`,
      `loops=${options.loops}`,
      ...(prometheus ? [`prometheusURL=${prometheus.queryUrl}`] : []),
    ];
    return await runDemoExperiment(
      'demo-llm.yaml',
      sets,
      { quiet: options.quiet, results: options.results, pruneArchives: false },
      output,
    );
  } finally {
    await prometheus?.stop();
    await Promise.all(servers.map((server) => server.close()));
  }
}
