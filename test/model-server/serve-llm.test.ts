import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import type { ServedLlm } from '../../src/model-server/llm/llm-server.js';
import { serveLlmUntilSignal } from '../../src/model-server/llm/serve-llm.js';
import { ttftBucketsSeconds } from '../../src/model-server/llm/vllm-metrics.js';
import { llmTask } from '../../src/tasks/llm/llm.js';
import { llmContext, llmValue } from '../tasks/llm/llm-servers.js';

describe('serve-model --model llm', () => {
  test('serves two revisions; the canary delay lands on the candidate first token only; vLLM metrics per revision', async () => {
    const signals = new EventEmitter();
    const lines: string[] = [];
    let ready!: (servers: { baseline: ServedLlm; candidate: ServedLlm }) => void;
    const started = new Promise<{ baseline: ServedLlm; candidate: ServedLlm }>(
      (resolve) => (ready = resolve),
    );
    const done = serveLlmUntilSignal(
      {
        host: '127.0.0.1',
        port: 0,
        port2: 0,
        firstTokenDelayMs: 20,
        tokenIntervalMs: 5,
        canaryDelayMs: 100,
        canaryErrorRate: 0,
      },
      { log: (line) => lines.push(line), signals, onReady: ready },
    );
    const { baseline, candidate } = await started;
    const context = llmContext();
    await llmTask.run(
      {
        endpoints: { baseline: { url: baseline.url }, candidate: { url: candidate.url } },
        maxTokens: 4,
        numRequests: 4,
      },
      context,
    );
    expect(llmValue(context, 'ttft-min', 1)!).toBeGreaterThanOrEqual(120 * 0.999);
    expect(llmValue(context, 'ttft-min', 0)!).toBeLessThan(llmValue(context, 'ttft-min', 1)!);
    expect(Math.min(...baseline.timings.map((t) => t.firstTokenMs))).toBeGreaterThanOrEqual(20);
    const metrics = await (await fetch(candidate.metricsUrl)).text();
    const labels = 'llm_isvc_name="llama-00002",model_name="canary/llama-emulated"';
    expect(metrics).toContain(`vllm:time_to_first_token_seconds_count{${labels}} 4`);
    expect(metrics).toContain(`vllm:inter_token_latency_seconds_count{${labels}} 12`);
    expect(metrics).toContain(`vllm:generation_tokens_total{${labels}} 16`);
    expect(metrics).toContain(`vllm:num_requests_waiting{${labels}} 0`);
    expect(metrics).toContain(`vllm:kv_cache_usage_perc{${labels}} 0`);
    // Every candidate TTFT (>= 120 ms) is above the 0.1 s bucket and within 0.25 s.
    expect(metrics).toContain(`vllm:time_to_first_token_seconds_bucket{${labels},le="0.1"} 0`);
    expect(metrics).toContain(`vllm:time_to_first_token_seconds_bucket{${labels},le="0.25"} 4`);
    expect(
      metrics.match(/vllm:time_to_first_token_seconds_bucket\{llm_isvc_name="llama-00002"/g),
    ).toHaveLength(ttftBucketsSeconds.length + 1);
    expect(lines.join('\n')).toContain('+100 ms to the first token');
    signals.emit('SIGTERM');
    expect(await done).toBe('SIGTERM');
    expect(lines.at(-1)).toBe('Stopped.');
  });
});
