import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

/** ESC and BEL: what retitles, clears or rings a terminal. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const terminalControls = /[\x07\x1b]/g;

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

/** Load on a real loopback server (answering `status`), then SLOs, judged only `if:` allows. */
const httpExperiment = (url: string, assessIf: string) => `apiVersion: canary/v1
kind: Experiment
metadata: { name: gate }
spec:
  versions: [candidate]
  tasks:
    - id: load
      task: http
      with: { url: '${url}', numRequests: 5 }
    - task: assess
      if: '${assessIf}'
      with:
        SLOs:
          upper: { http/error-count: 0, http/latency-mean: 10000 }
        relative:
          baseline: candidate
          SLOs: { http/latency-p90: { maxIncrease: 10% } }
`;

describe('SLOs defined but not judged, and SLOs that fail', () => {
  let server: Server;
  let url: string;
  let dir: string;
  beforeAll(async () => {
    server = createHttpServer((request, response) => {
      response.statusCode = request.url === '/fail' ? 500 : 200;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    dir = mkdtempSync(path.join(tmpdir(), 'canary-gate-'));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('an assess task skipped by `if:` is not a pass: run, assert and every report say so (exit 5)', async () => {
    writeFileSync(path.join(dir, 'skip.yaml'), httpExperiment(`${url}/`, 'loop > 1'));
    const run = await runCli(['run', 'skip.yaml', '--results', 'skip.jsonl', '--no-github-summary'], {
      cwd: dir,
    });
    const line = 'slos: 3 defined, none judged in loop 1 (assess skipped: condition is false: loop > 1)';
    expect(run.stderr).toContain(`✘ ${line}`);
    expect(run.code).toBe(5);
    const assert = await runCli(['assert', '--results', 'skip.jsonl', '--slos'], { cwd: dir });
    expect(assert.stdout + assert.stderr).toContain(`✘ ${line}`);
    expect(assert.code).toBe(5);
    const report = async (format: string) =>
      (await runCli(['report', '--results', 'skip.jsonl', '-o', format], { cwd: dir })).stdout;
    const described = '3 defined, none judged (assess skipped: condition is false: loop > 1)';
    expect(await report('text')).toMatch(new RegExp(`SLOs: +${described.replace(/[()]/g, '\\$&')}`));
    expect(await report('markdown')).toContain(`**SLOs:** ${described.replace('>', '&gt;')}`);
    expect(await report('html')).toContain(
      `<dd id="summary-unjudged-slos">${described.replace('>', '&gt;')}</dd>`,
    );
    expect(await report('openmetrics')).toContain('canary_slos_unjudged{experiment="gate"} 3');
    const json = JSON.parse(await report('json')) as { verdict: string; unjudgedSlos: unknown };
    expect(json).toMatchObject({
      verdict: 'inconclusive',
      unjudgedSlos: { defined: 3, unjudged: 3, reasons: ['assess skipped: condition is false: loop > 1'] },
    });
  }, 60_000);

  it("run's summary names each SLO that fails or is inconclusive, and points at --explain", async () => {
    writeFileSync(path.join(dir, 'fail.yaml'), httpExperiment(`${url}/fail`, 'loop > 0'));
    const run = await runCli(['run', 'fail.yaml', '--results', 'fail.jsonl', '--no-github-summary'], {
      cwd: dir,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('  ✘ candidate: http/error-count = 5, limit <= 0: fail');
    expect(run.stderr).toContain('why: canary assert --slos --explain');
  }, 60_000);
});

describe('control characters from a backend never reach a terminal', () => {
  const hostile = 'bad \x1b]0;pwned\x07\x1b[2J query';
  const shown = 'bad \\x1b]0;pwned\\x07\\x1b[2J query';
  let server: Server;
  let dir: string;
  beforeAll(async () => {
    server = createHttpServer((_request, response) => {
      response.statusCode = 400;
      response.end(JSON.stringify({ status: 'error', error: hostile }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    dir = mkdtempSync(path.join(tmpdir(), 'canary-gate-'));
    writeFileSync(path.join(dir, 'e.yaml'), experiment(`http://127.0.0.1:${port}/api/v1/query`));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('progress, summary, --explain and every human report show them as escapes', async () => {
    const outputs: Record<string, string> = {};
    const run = await runCli(['run', 'e.yaml', '--results', 'r.jsonl', '--no-github-summary'], { cwd: dir });
    expect(run.code).toBe(5);
    outputs['run'] = run.stdout + run.stderr;
    const explain = await runCli(['assert', '--results', 'r.jsonl', '--slos', '--explain'], { cwd: dir });
    outputs['explain'] = explain.stdout + explain.stderr;
    for (const format of ['text', 'markdown', 'html', 'openmetrics'])
      outputs[format] = (await runCli(['report', '--results', 'r.jsonl', '-o', format], { cwd: dir })).stdout;
    for (const [name, text] of Object.entries(outputs)) {
      expect({ name, escapes: text.match(terminalControls)?.length ?? 0 }).toEqual({ name, escapes: 0 });
      // OpenMetrics carries no reasons: only the escape count applies to it.
      if (name !== 'openmetrics')
        expect({ name, shown: text.includes('pwned') }).toEqual({ name, shown: true });
    }
    expect(outputs['run']).toContain(shown);
    expect(outputs['explain']).toContain(shown);
  }, 60_000);

  it('validate refuses version and metric names with control characters, at file:line:col (exit 3)', async () => {
    writeFileSync(
      path.join(dir, 'names.yaml'),
      experiment('http://127.0.0.1:9/api/v1/query')
        .replace('versions: [candidate, baseline]', 'versions: ["cand\\e]0;x\\a", baseline]')
        .replace('kserve-prometheus/latency-p90: 40', '"kserve-prometheus/latency-p90\\e[2J": 40'),
    );
    const validate = await runCli(['validate', 'names.yaml'], { cwd: dir });
    expect(validate.code).toBe(3);
    const out = validate.stdout + validate.stderr;
    expect(out).toMatch(
      /names\.yaml:5:\d+ +error +spec\.versions\[0\]: version name "cand\\x1b]0;x\\x07" has a control character/,
    );
    expect(out).toMatch(
      /names\.yaml:\d+:\d+ +error .*metric name "kserve-prometheus\/latency-p90\\x1b\[2J" has a control character/,
    );
    expect(out).not.toMatch(terminalControls);
  }, 60_000);
});
