import { describe, expect, it } from 'vitest';
import { demoWorkspace, failedSlos } from './demo-harness.js';
import { hasPrometheus } from '../support/prometheus.js';

const demo = demoWorkspace('canary-demo-');

describe('canary demo, end to end', () => {
  it('is installed with Prometheus here, so the demo judges Prometheus metrics', async () => {
    // CI installs prometheus (.ci/run); without it the demo still works, on the http task's metrics.
    expect(await hasPrometheus()).toBe(true);
  });

  it('passes with the defaults: both revisions meet the seed SLOs (exit 0)', async () => {
    const result = await demo.run(['demo', '-q', '--results', 'pass.jsonl']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('kserve-prometheus/latency-p90 <= 40');
    const loop = await demo.lastLoop('pass.jsonl');
    expect(loop.loop).toBe(3);
    // Prometheus saw every request the http task sent in three loops.
    expect(loop.metrics[0]['kserve-prometheus/request-count'].value).toBe(3 * 60);
    expect(loop.metrics[1]['kserve-prometheus/request-count'].value).toBe(3 * 60);
    expect(loop.slos.every((s: { status: string }) => s.status === 'pass')).toBe(true);
    // The simulated model takes a few ms (log-normal), so the figures look like a model's: a mean of
    // at least 1 ms and at most the p90, and Prometheus agreeing with the http task's own
    // measurements to within the queue-proxy's bucket resolution (bounds 5, 10, 20 ms).
    for (const version of [0, 1]) {
      const value = (name: string) => loop.metrics[version][name].value as number;
      const mean = value('kserve-prometheus/latency-mean');
      expect(mean).toBeGreaterThanOrEqual(1);
      expect(mean).toBeLessThanOrEqual(value('kserve-prometheus/latency-p90'));
      expect(Math.abs(mean - value('http/latency-mean'))).toBeLessThanOrEqual(5);
      expect(
        Math.abs(value('kserve-prometheus/latency-p90') - value('http/latency-p90')),
      ).toBeLessThanOrEqual(10);
    }
    expect(result.stdout).toContain('Prometheus percentiles (histogram_quantile) are interpolated');
    const html = await demo.read('pass.html');
    expect(html).toContain('<html');
  });

  it('fails when the candidate is slow (exit 1), and only the candidate', async () => {
    const result = await demo.run([
      'demo',
      '-q',
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
    // The candidate's mean carries the 30 ms delay; its p90 may fail too on a loaded machine, so only
    // the delay-driven verdicts are pinned: the candidate's mean fails, the baseline's passes.
    expect(failed).toContain('0 kserve-prometheus/latency-mean');
    expect(failed).not.toContain('1 kserve-prometheus/latency-mean');
    expect(loop.metrics[0]['kserve-prometheus/latency-mean'].value).toBeGreaterThanOrEqual(30);
  });

  it('without Prometheus, judges the http task measurements: errors fail the candidate (exit 1)', async () => {
    const result = await demo.run([
      'demo',
      '-q',
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
    expect(loop.metrics[0]['http/error-count'].value).toBe(6); // 60 requests, one in ten fails
    expect(loop.metrics[1]['http/error-count'].value).toBe(0);
    expect(loop.tasks.find((t: { id: string }) => t.id === 'metrics').status).toBe('skipped');
  });

  it('refuses a bad error rate with a usage error', async () => {
    const result = await demo.run(['demo', '--canary-error-rate', '2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--canary-error-rate must be a number from 0 to 1');
  });
});
