import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startServer, type LoopbackServer } from '../metrics/backend/loopback-server.js';
import { runCli } from './cli-harness.js';

/**
 * A jq expression from a provider template that never ends (`last(range(1e11))`). Before jq had a
 * budget, `canary run` spun on the main thread: it ignored the query timeout, SIGINT and SIGTERM.
 */
let server: LoopbackServer;
let dir: string;

const experiment = (timeout: string) => `apiVersion: canary/v1
kind: Experiment
metadata: {name: runaway}
spec:
  tasks:
    - task: custommetrics
      with:
        templates: {runaway: runaway.njk}
        values: {url: "${server.url}/api/v1/query"}
        timeout: ${timeout}
        retries: 0
`;

beforeAll(async () => {
  server = await startServer((_request, response) =>
    sendJson(response, 200, {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1_700_000_000, '1'] }] },
    }),
  );
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-jq-runaway-'));
  await writeFile(
    path.join(dir, 'runaway.njk'),
    `# canary-template: nunjucks
url: {{ url | dump }}
metrics:
- name: endless
  params: [{name: query, value: endless}]
  jqExpression: last(range(1e11))
- name: plain
  params: [{name: query, value: plain}]
  jqExpression: .status | length
`,
  );
  await writeFile(path.join(dir, 'two-seconds.yaml'), experiment('2s'));
  await writeFile(path.join(dir, 'one-minute.yaml'), experiment('60s'));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a runaway jq expression', () => {
  it(
    "becomes its metric's reason at the query timeout, and the loop goes on",
    { timeout: 90_000 },
    async () => {
      const result = await runCli(['run', 'two-seconds.yaml', '-q', '--results', 'r.jsonl'], { cwd: dir });
      expect(result.signal).toBeNull();
      expect(result.code).toBe(0);
      const loop = (await readFile(path.join(dir, 'r.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { kind: string; metrics?: Array<Record<string, unknown>> })
        .find((record) => record.kind === 'loop');
      expect(loop?.metrics?.[0]?.['runaway/endless']).toMatchObject({
        value: null,
        reason: 'jq: exceeded 2s',
      });
      expect(loop?.metrics?.[0]?.['runaway/plain']).toMatchObject({ value: 7 });
    },
  );

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`does not keep ${signal} waiting`, { timeout: 90_000 }, async () => {
      let sent = false;
      const result = await runCli(['run', 'one-minute.yaml', '--results', `${signal}.jsonl`], {
        cwd: dir,
        onStderr: (text, child) => {
          if (!sent && text.includes('loop 1 started')) {
            sent = true;
            setTimeout(() => child.kill(signal), 1500); // jq is busy by then
          }
        },
      });
      expect(result.signal).toBeNull();
      expect(result.code).toBe(code);
    });
  }

  it('keeps the result-file lock alive while jq is busy', { timeout: 90_000 }, async () => {
    // The lock lives beside the result file (its exact name is the lock's business).
    const lock = async () =>
      path.join(
        dir,
        (await readdir(dir)).find((n) => n.startsWith('heartbeat') && n.endsWith('.lock')) ?? 'no-lock',
      );
    let firstBeat: number | undefined;
    let laterBeat: number | undefined;
    let watching = false;
    const result = await runCli(['run', 'one-minute.yaml', '--results', 'heartbeat.jsonl'], {
      cwd: dir,
      onStderr: (text, child) => {
        if (watching || !text.includes('loop 1 started')) return;
        watching = true;
        void (async () => {
          firstBeat = (await stat(await lock())).mtimeMs;
          // The heartbeat touches the lock every 10 s; jq has been busy all that time.
          await new Promise((resolve) => setTimeout(resolve, 12_000));
          laterBeat = (await stat(await lock())).mtimeMs;
          child.kill('SIGTERM');
        })();
      },
    });
    expect(result.code).toBe(143);
    expect(firstBeat).toBeDefined();
    expect(laterBeat).toBeGreaterThan(firstBeat!);
  });
});
