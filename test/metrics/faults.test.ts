import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultObserver } from '../../src/cli/result-observer.js';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { runExperiment } from '../../src/engine/run-experiment.js';
import type { RunObserver } from '../../src/engine/events.js';
import { hashExperiment, readResults, ResultWriter } from '../../src/results/result-file.js';
import {
  closedPort,
  sendJson,
  startServer,
  type LoopbackServer,
  type RecordedRequest,
} from './backend/loopback-server.js';

/**
 * custommetrics against a misbehaving backend, over several loops and into a real result file: in
 * the faulty loop each metric is recorded with its reason and the loop goes on; in the next loop the
 * backend is healthy and every metric has its value again. Single queries against each fault are in
 * backend/http-query.test.ts; this checks what a run makes of them.
 */

type Phase = 'faulty' | 'healthy';

interface Fault {
  name: string;
  /** Answer a query in the faulty loop; `call` counts this metric's requests in that loop, from 1. */
  answer(response: http.ServerResponse, call: number): void;
  /** What the faulty loop records: a value (recovered by retrying) or a reason. */
  faulty: { value: number } | { reason: RegExp };
}

const vector = (value: string) => ({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: {}, value: [1_700_000_000, value] }] },
});

const faults: Fault[] = [
  {
    name: 'burst_5xx',
    answer: (response) => sendJson(response, 503, 'overloaded'),
    faulty: { reason: /^HTTP 503 after 3 attempts: overloaded$/ },
  },
  {
    name: 'short_5xx',
    answer: (response, call) =>
      call <= 2 ? sendJson(response, 502, 'bad gateway') : sendJson(response, 200, vector('41')),
    faulty: { value: 41 },
  },
  {
    name: 'retry_after',
    answer: (response, call) =>
      call === 1
        ? sendJson(response, 429, 'slow down', { 'retry-after': '1' })
        : sendJson(response, 200, vector('42')),
    faulty: { value: 42 },
  },
  {
    name: 'slow',
    answer: (response) => void setTimeout(() => sendJson(response, 200, vector('1')), 1500).unref(),
    faulty: { reason: /timeout after 3 attempts: no response within 300ms/ },
  },
  {
    name: 'garbage_json',
    answer: (response) => sendJson(response, 200, '{"status":"success","data":{"resultType":"vec'),
    faulty: { reason: /not JSON/ },
  },
  {
    name: 'nan',
    answer: (response) => sendJson(response, 200, vector('NaN')),
    faulty: { reason: /^NaN$/ },
  },
  {
    name: 'inf',
    answer: (response) => sendJson(response, 200, vector('+Inf')),
    faulty: { reason: /^\+Inf$/ },
  },
  {
    name: 'empty_vector',
    answer: (response) =>
      sendJson(response, 200, { status: 'success', data: { resultType: 'vector', result: [] } }),
    faulty: { reason: /empty/ },
  },
  {
    name: 'cut_body',
    answer: (response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
      response.write('{"status":"success","data":{"resultType":"vector","result":[{"metric":{},');
      setTimeout(() => response.socket?.destroy(), 20).unref();
    },
    faulty: { reason: /connection closed after 3 attempts: response cut off/ },
  },
];

let phase: Phase = 'faulty';
const calls = new Map<string, number>();
/** When each retry_after request arrived, to check the wait between them. */
const retryAfterTimes: number[] = [];
let server: LoopbackServer;
/** The backend of the `down` provider: nothing listens in the faulty loop, a server in the healthy one. */
let downPort: number;
let down: http.Server | undefined;
let dir: string;

function answer(request: RecordedRequest, response: http.ServerResponse): void {
  const name = new URL(request.url, 'http://x').searchParams.get('query') ?? '';
  const fault = faults.find((f) => f.name === name);
  if (!fault) return sendJson(response, 404, `unknown query ${name}`);
  if (phase === 'healthy') return sendJson(response, 200, vector(String(faults.indexOf(fault) + 1)));
  const call = (calls.get(name) ?? 0) + 1;
  calls.set(name, call);
  if (name === 'retry_after') retryAfterTimes.push(Date.now());
  fault.answer(response, call);
}

/** A server on a given port (the one `down` was refused on). */
async function listenOn(port: number, handler: http.RequestListener): Promise<http.Server> {
  const listening = http.createServer(handler);
  await new Promise<void>((resolve) => listening.listen(port, '127.0.0.1', resolve));
  return listening;
}

const template = (names: string[]) => `# canary-template: nunjucks
url: {{ url | dump }}
metrics:
${names.map((n) => `- name: ${n}\n  params:\n  - name: query\n    value: ${n}\n  jqExpression: .data.result[0].value[1] | tonumber\n`).join('')}`;

beforeAll(async () => {
  server = await startServer(answer);
  downPort = await closedPort();
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-faults-'));
  await writeFile(path.join(dir, 'faults.njk'), template(faults.map((f) => f.name)));
  await writeFile(path.join(dir, 'down.njk'), template(['up']));
  await writeFile(
    path.join(dir, 'e.yaml'),
    `apiVersion: canary/v1
kind: Experiment
metadata: {name: faults}
spec:
  tasks:
    - task: custommetrics
      with:
        templates: {faults: faults.njk}
        values: {url: "${server.url}/api/v1/query"}
        timeout: 300ms
        retries: 2
    - task: custommetrics
      with:
        templates: {down: down.njk}
        values: {url: "http://127.0.0.1:${downPort}/api/v1/query"}
        timeout: 300ms
        retries: 1
`,
  );
});

afterAll(async () => {
  await server.close();
  down?.closeAllConnections();
  await new Promise((resolve) => (down ? down.close(resolve) : resolve(undefined)));
  await rm(dir, { recursive: true, force: true });
});

describe('a faulty metrics backend, then a healthy one, over two loops into the result file', () => {
  let history: Awaited<ReturnType<typeof readResults>>;

  beforeAll(async () => {
    const loaded = await loadExperiment({ file: 'e.yaml', cwd: dir, env: {} });
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const file = path.join(dir, 'faults.jsonl');
    const writer = await ResultWriter.open(file);
    const hash = hashExperiment(loaded.experiment);
    // After the faulty loop, the backend heals and the `down` one comes up on its port.
    const heal: RunObserver = {
      async onEvent(event) {
        if (event.type !== 'loop-end' || phase === 'healthy') return;
        phase = 'healthy';
        down = await listenOn(downPort, (_request, response) => sendJson(response, 200, vector('99')));
      },
    };
    try {
      await runExperiment({
        plan: loaded.plan!,
        registry: loaded.registry,
        experimentHash: hash,
        experimentDir: dir,
        firstLoop: 1,
        loops: 2,
        signal: new AbortController().signal,
        observers: [new ResultObserver(writer, loaded.experiment!, hash, 'e.yaml'), heal],
      });
    } finally {
      await writer.close();
    }
    history = await readResults(file);
  }, 120_000);

  it('the result file reads back whole: two loops, an end, no warnings', () => {
    expect(history.warnings).toEqual([]);
    expect(history.loops.map((l) => [l.loop, l.status])).toEqual([
      [1, 'error'],
      [2, 'completed'],
    ]);
    expect(history.end).toMatchObject({ reason: 'done', loops: 2, lastLoop: 2 });
  });

  it.each(faults)('$name: recorded in the faulty loop, its value back in the next', (fault) => {
    const [faulty, healthy] = history.loops;
    const metric = faulty!.metrics[0]![`faults/${fault.name}`];
    if ('value' in fault.faulty) {
      expect(metric).toMatchObject({ value: fault.faulty.value });
    } else {
      expect(metric?.value).toBeNull();
      expect(metric?.reason).toMatch(fault.faulty.reason);
    }
    expect(healthy!.metrics[0]![`faults/${fault.name}`]).toMatchObject({ value: faults.indexOf(fault) + 1 });
  });

  it('down (connection refused): the task says the backend did not answer, the next loop reads it', () => {
    const [faulty, healthy] = history.loops;
    expect(faulty!.metrics[0]!['down/up']).toMatchObject({ value: null });
    expect(faulty!.metrics[0]!['down/up']!.reason).toMatch(/^connection refused after 2 attempts/);
    const task = faulty!.tasks[1]!;
    expect(task.status).toBe('error');
    expect(task.message).toMatch(/no metrics backend answered \(1 quer(y|ies)\): connection refused/);
    // The loop went on past the failed task and past the other provider's faults.
    expect(faulty!.tasks[0]!.status).toBe('completed');
    expect(healthy!.metrics[0]!['down/up']).toMatchObject({ value: 99 });
    expect(healthy!.tasks.map((t) => t.status)).toEqual(['completed', 'completed']);
  });

  it('Retry-After is honoured: the second request came at least a second after the 429', () => {
    expect(retryAfterTimes).toHaveLength(2);
    expect(retryAfterTimes[1]! - retryAfterTimes[0]!).toBeGreaterThanOrEqual(1000);
  });

  it('every fault was retried as far as allowed, and no further', () => {
    expect(Object.fromEntries(calls)).toEqual({
      burst_5xx: 3,
      short_5xx: 3,
      retry_after: 2,
      slow: 3,
      garbage_json: 1,
      nan: 1,
      inf: 1,
      empty_vector: 1,
      cut_body: 3,
    });
  });
});
