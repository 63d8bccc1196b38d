import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

/** A loopback port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const experiment = (url: string, assessIf?: string) => `apiVersion: canary/v1
kind: Experiment
metadata: { name: gate }
spec:
  versions: [candidate, baseline]
  tasks:
    - id: metrics
      task: custommetrics
      with:
        templates: { kserve-prometheus: builtin:kserve-prometheus }
        values:
          prometheusURL: ${url}
          labels: { service_name: svc }
          latencyPercentiles: [50, 75, 90, 95]
        versionValues:
          - labels: { revision_name: r2 }
          - labels: { revision_name: r1 }
        timeout: 2s
    - task: assess
${assessIf ? `      if: '${assessIf}'\n` : ''}      with:
        SLOs:
          upper:
            kserve-prometheus/error-count: 0
            kserve-prometheus/latency-mean: 25
            kserve-prometheus/latency-p90: 40
`;

describe('a run whose metrics backend is unreachable', () => {
  let dir: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'canary-gate-'));
    const port = await closedPort();
    writeFileSync(path.join(dir, 'e.yaml'), experiment(`http://127.0.0.1:${port}/api/v1/query`));
    run = await runCli(['run', 'e.yaml', '-q', '--results', 'r.jsonl'], { cwd: dir });
  }, 60_000);

  it('exits 4 without leaking Node warnings about abort listeners', () => {
    expect(run.code).toBe(4);
    expect(run.stderr).not.toMatch(/MaxListenersExceededWarning|abort listeners/);
  });
});
