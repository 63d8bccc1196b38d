import { describe, expect, it } from 'vitest';
import { demoWorkspace, failedSlos } from './demo-harness.js';

const demo = demoWorkspace('canary-demo-grpc-');

describe('canary demo --protocol grpc, end to end', () => {
  it('passes with the defaults: Prometheus counted every gRPC call, the seed SLOs hold (exit 0)', async () => {
    const result = await demo.run(['demo', '-q', '--protocol', 'grpc', '--results', 'pass.jsonl']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /serving revision 00002 \(candidate\) at 127\.0\.0\.1:\d+ \(KServe V2 gRPC\)/,
    );
    const loop = await demo.lastLoop('pass.jsonl');
    expect(loop.loop).toBe(3);
    // The grpc task's calls, and Prometheus's scrape of the queue-proxy metrics, agree.
    for (const version of [0, 1]) {
      expect(loop.metrics[version]['grpc/request-count'].value).toBe(60);
      expect(loop.metrics[version]['kserve-prometheus/request-count'].value).toBe(3 * 60);
    }
    expect(loop.slos.map((s: { metric: string }) => s.metric)).toContain('kserve-prometheus/latency-p90');
    expect(loop.slos.every((s: { status: string }) => s.status === 'pass')).toBe(true);
  });

  it('fails when the candidate is slow (exit 1), judged through builtin:kserve-prometheus', async () => {
    const result = await demo.run([
      'demo',
      '-q',
      '--protocol',
      'grpc',
      '--canary-delay',
      '30',
      '--loops',
      '2',
      '--results',
      'slow.jsonl',
    ]);
    expect(result.code, result.stderr).toBe(1);
    const loop = await demo.lastLoop('slow.jsonl');
    const failed = failedSlos(loop);
    expect(failed).toContain('0 kserve-prometheus/latency-mean');
    expect(failed).not.toContain('1 kserve-prometheus/latency-mean');
    expect(loop.metrics[0]['kserve-prometheus/latency-mean'].value).toBeGreaterThanOrEqual(30);
  });

  it('without Prometheus, judges the grpc task: injected failures are counted by status (exit 1)', async () => {
    const result = await demo.run([
      'demo',
      '-q',
      '--protocol',
      'grpc',
      '--no-prometheus',
      '--canary-error-rate',
      '0.1',
      '--loops',
      '1',
      '--results',
      'errors.jsonl',
    ]);
    expect(result.code, result.stderr).toBe(1);
    const loop = await demo.lastLoop('errors.jsonl');
    expect(loop.metrics[0]['grpc/error-count'].value).toBe(6); // 60 calls, one in ten fails
    expect(loop.metrics[0]['grpc/status-internal'].value).toBe(6);
    expect(loop.metrics[1]['grpc/error-count'].value).toBe(0);
  });

  it('refuses an unknown protocol with a usage error', async () => {
    const result = await demo.run(['demo', '--protocol', 'smtp']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/protocol/);
  });
});
