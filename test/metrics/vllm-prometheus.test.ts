import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmServer, type ServedLlm } from '../../src/model-server/llm/llm-server.js';
import { llmTask } from '../../src/tasks/llm/llm.js';
import { llmContext } from '../tasks/llm/llm-servers.js';
import { startPrometheus, type PrometheusServer, waitForScrape } from '../support/prometheus.js';
import { runOneLoop } from '../support/run-one-loop.js';

let baseline: ServedLlm;
let candidate: ServedLlm;
let prometheus: PrometheusServer;
let dir: string;
const sent = 6;

beforeAll(async () => {
  const common = { model: 'llama', tokenIntervalMs: 4, defaultMaxTokens: 5 };
  baseline = await startLlmServer({ ...common, revisionName: 'llama-00001', firstTokenDelayMs: 20 });
  candidate = await startLlmServer({ ...common, revisionName: 'llama-00002', firstTokenDelayMs: 60 });
  prometheus = await startPrometheus({
    scrapeTargets: [baseline, candidate].map((s) => new URL(s.metricsUrl).host),
    scrapeInterval: '1s',
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-vllm-'));
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await Promise.all([baseline?.close(), candidate?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('builtin:vllm-prometheus against vLLM metrics scraped from the emulated server', () => {
  it('reports per version the requests, TTFT, TPOT and tokens the servers really served', async () => {
    await llmTask.run(
      {
        endpoints: { baseline: { url: baseline.url }, candidate: { url: candidate.url } },
        maxTokens: 5,
        numRequests: sent,
      },
      llmContext(),
    );
    await waitForScrape(prometheus, 'sum(vllm:request_success_total)', 2 * sent);
    await writeFile(
      path.join(dir, 'e.yaml'),
      `apiVersion: canary/v1
kind: Experiment
metadata: {name: vllm}
spec:
  versions: [baseline, candidate]
  tasks:
    - task: custommetrics
      with:
        templates: {vllm: builtin:vllm-prometheus}
        values:
          prometheusURL: ${prometheus.queryUrl}
          latencyPercentiles: [50, 90]
        versionValues:
          - labels: {llm_isvc_name: llama-00001}
          - labels: {llm_isvc_name: llama-00002}
`,
    );
    const record = await runOneLoop(dir, { startedSecondsAgo: 120, noWarnings: true });
    expect(record.tasks[0]!.status).toBe('completed');
    const [b, c] = record.metrics;
    for (const [metrics, server] of [
      [b!, baseline],
      [c!, candidate],
    ] as const) {
      expect(metrics['vllm/request-count']!.value).toBe(sent);
      expect(metrics['vllm/finished-length-count']!.value).toBe(sent);
      expect(metrics['vllm/finished-abort-count']!.value).toBe(0);
      expect(metrics['vllm/abort-rate']!.value).toBe(0);
      // The server's own first-token times, in ms, averaged as vLLM's _sum / _count does.
      expect(metrics['vllm/ttft-mean']!.value).toBeCloseTo(
        mean(server.timings.map((t) => t.firstTokenMs)),
        6,
      );
      const gaps = server.timings.flatMap((t) =>
        t.tokenTimesMs.slice(1).map((x, i) => x - t.tokenTimesMs[i]!),
      );
      expect(metrics['vllm/tpot-mean']!.value).toBeCloseTo(mean(gaps), 6);
      expect(metrics['vllm/e2e-latency-p90']!.value).toBeGreaterThan(0);
      expect(metrics['vllm/requests-waiting-max']!.value).toBe(0);
      expect(metrics['vllm/kv-cache-usage-max']!.value).toBeGreaterThanOrEqual(0);
    }
    expect(b!['vllm/ttft-p90']!.value).toBeLessThanOrEqual(c!['vllm/ttft-p90']!.value as number);
    expect(c!['vllm/ttft-mean']!.value).toBeGreaterThanOrEqual(60);
  }, 60_000);
});
