import { describe, expect, it } from 'vitest';
import { demoWorkspace, failedSlos } from './demo-harness.js';

const demo = demoWorkspace('canary-demo-llm-');

describe('canary demo --model llm, end to end', () => {
  it('passes with the defaults: the llm task and Prometheus agree on the count, every SLO holds (exit 0)', async () => {
    const result = await demo.run([
      'demo',
      '-q',
      '--model',
      'llm',
      '--loops',
      '2',
      '--results',
      'pass.jsonl',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const loop = await demo.lastLoop('pass.jsonl');
    expect(loop.loop).toBe(2);
    for (const version of [0, 1]) {
      expect(loop.metrics[version]['llm/request-count'].value).toBe(40);
      expect(loop.metrics[version]['vllm/request-count'].value).toBe(2 * 40);
    }
    const metrics = loop.slos.map((s: { metric: string }) => s.metric);
    expect(metrics).toEqual(
      expect.arrayContaining(['vllm/ttft-p90', 'vllm/tpot-mean', 'llm/ttft-mean', 'llm/ttft']),
    );
    expect(loop.slos.every((s: { status: string }) => s.status === 'pass')).toBe(true);
    const html = await demo.read('pass.html');
    expect(html).toContain('llm/ttft');
    expect(html).toContain('llm/itl');
  }, 120_000);

  it('fails when the candidate is 300 ms slower to its first token (exit 1), relatively and statistically', async () => {
    const result = await demo.run([
      'demo',
      '-q',
      '--model',
      'llm',
      '--canary-delay',
      '300',
      '--loops',
      '1',
      '--no-prometheus',
      '--results',
      'slow.jsonl',
    ]);
    expect(result.code, result.stderr).toBe(1);
    const loop = await demo.lastLoop('slow.jsonl');
    const failed = failedSlos(loop);
    expect(failed).toEqual(expect.arrayContaining(['1 llm/ttft-mean', '1 llm/ttft']));
    expect(failed).not.toContain('1 llm/ttft-p90');
    expect(loop.metrics[1]['llm/ttft-min'].value).toBeGreaterThanOrEqual(350 * 0.999);
  }, 120_000);
});
