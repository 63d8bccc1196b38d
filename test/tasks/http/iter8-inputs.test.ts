import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../../src/config/load-experiment.js';
import { TaskError } from '../../../src/errors.js';
import { httpTask, type HttpInput } from '../../../src/tasks/http/http.js';
import { startServer, taskContext, valueOf, type LoopbackServer, type Responder } from './loopback-server.js';

// Iter8 v0.14.10's http task (base/collect_http.go, charts/iter8/templates/_task-http.tpl): its defaults
// and inputs, as Iter8 users' files rely on them.

const servers: LoopbackServer[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-iter8-http-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(respond?: Responder): Promise<LoopbackServer> {
  const server = await startServer(respond);
  servers.push(server);
  return server;
}

function contextWithCache() {
  const context = taskContext({ experimentDir: dir });
  return { ...context, env: { CANARY_CACHE_DIR: path.join(dir, 'cache') } };
}

const run = (input: HttpInput, context = taskContext({ experimentDir: dir })) =>
  httpTask.run(input, context).then(() => context);

describe('http defaults as Iter8', () => {
  it('sends 8 queries per second unless told otherwise; qps 0 is unthrottled', async () => {
    const server = await serve();
    const throttled = await run({ url: server.url, numRequests: 2 });
    expect(throttled.logs[0]).toContain('at 8 qps');
    const unthrottled = await run({ url: server.url, numRequests: 2, qps: 0 });
    expect(unthrottled.logs[0]).toContain('as fast as possible');
    expect(server.seen).toHaveLength(4);
  });
});

describe('Iter8 payload inputs', () => {
  it('POSTs payloadStr with its contentType', async () => {
    const server = await serve();
    await run({ url: server.url, numRequests: 2, qps: 0, payloadStr: 'a,b', contentType: 'text/csv' });
    expect(server.seen.map((r) => [r.method, r.body, r.headers['content-type']])).toEqual([
      ['POST', 'a,b', 'text/csv'],
      ['POST', 'a,b', 'text/csv'],
    ]);
  });

  it('sends payloadFile (relative to the experiment) over payloadStr', async () => {
    await writeFile(path.join(dir, 'body.json'), '{"x":1}');
    const server = await serve();
    await run({ url: server.url, numRequests: 1, qps: 0, payloadStr: 'no', payloadFile: 'body.json' });
    expect(server.seen[0]).toMatchObject({ method: 'POST', body: '{"x":1}' });
    expect(server.seen[0]!.headers['content-type']).toBe('application/json');
  });

  it('fetches payloadURL when the loop runs, then serves it from the cache when the source is gone', async () => {
    const source = await serve((_n, _r, response) => response.end('fetched body'));
    const url = `${source.url}/payload.txt`;
    const target = await serve();
    await run({ url: target.url, numRequests: 1, qps: 0, payloadURL: url }, contextWithCache());
    await source.close();
    servers.splice(servers.indexOf(source), 1);
    await run({ url: target.url, numRequests: 1, qps: 0, payloadURL: url }, contextWithCache());
    expect(source.seen).toHaveLength(1);
    expect(target.seen.map((r) => r.body)).toEqual(['fetched body', 'fetched body']);
  });

  it('fails the task, naming the URL, when payloadURL cannot be fetched and is not cached', async () => {
    const target = await serve();
    const source = await serve((_n, _r, response) => {
      response.writeHead(404);
      response.end();
    });
    const error = await httpTask
      .run({ url: target.url, numRequests: 1, payloadURL: `${source.url}/x` }, contextWithCache())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as Error).message).toContain(`cannot fetch payload ${source.url}/x: HTTP 404`);
    expect(target.seen).toHaveLength(0);
  });
});

describe('Iter8 warmup and allowInitialErrors', () => {
  it('warmup: true sends the load and records nothing', async () => {
    const server = await serve();
    const context = await run({ url: server.url, numRequests: 5, qps: 0, warmup: true });
    expect(server.seen).toHaveLength(5);
    expect(context.metrics.names()).toEqual([]);
  });

  it('warmupNumRequests and warmupDuration warm up before measuring', async () => {
    const server = await serve();
    const counted = await run({ url: server.url, numRequests: 10, qps: 0, warmupNumRequests: 5 });
    expect(server.seen).toHaveLength(15);
    expect(valueOf(counted, 'request-count')).toBe(10);
    const timed = await run({
      url: server.url,
      numRequests: 3,
      qps: 0,
      connections: 1,
      warmupDuration: '20ms',
    });
    expect(server.seen.length).toBeGreaterThan(15 + 3);
    expect(valueOf(timed, 'request-count')).toBe(3);
  });

  it('allowInitialErrors: false fails on a bad first answer; true counts it as an error', async () => {
    const failFirst: Responder = (n, _r, response) => {
      response.writeHead(n === 1 ? 503 : 200); // n counts from 1
      response.end();
    };
    const strict = await serve(failFirst);
    const error = await httpTask
      .run(
        { url: strict.url, numRequests: 4, qps: 0, connections: 1, allowInitialErrors: false },
        taskContext(),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as Error).message).toContain('a first request got status 503');
    const lenient = await serve(failFirst);
    const context = await run({
      url: lenient.url,
      numRequests: 4,
      qps: 0,
      connections: 1,
      allowInitialErrors: true,
    });
    expect(valueOf(context, 'error-count')).toBe(1);
  });

  it('allowInitialErrors: false sends one uncounted request per connection first', async () => {
    const server = await serve();
    const context = await run({
      url: server.url,
      numRequests: 6,
      qps: 0,
      connections: 2,
      allowInitialErrors: false,
    });
    expect(server.seen).toHaveLength(8);
    expect(valueOf(context, 'request-count')).toBe(6);
  });
});

describe("Iter8's named endpoints", () => {
  it('records http-<name>/ metrics of version 0, each endpoint with its own inputs', async () => {
    const server = await serve();
    const context = taskContext();
    await httpTask.run(
      {
        qps: 0,
        numRequests: 3,
        endpoints: {
          get: { url: `${server.url}/get` },
          post: { url: `${server.url}/post`, payloadStr: 'hello', numRequests: 2, percentiles: [97.5] },
        },
      },
      context,
    );
    expect(server.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /get',
      'GET /get',
      'GET /get',
      'POST /post',
      'POST /post',
    ]);
    expect(context.metrics.get(0, 'http-get/request-count')?.value).toBe(3);
    expect(context.metrics.get(0, 'http-post/request-count')?.value).toBe(2);
    // Only the endpoint that asked records p97.5 up front (the other's is computed if an SLO asks).
    expect(context.metrics.names()).not.toContain('http-get/latency-p97.5');
    expect(context.metrics.get(0, 'http-post/latency-p97.5')?.value).toBeGreaterThan(0);
    expect(context.metrics.get(1, 'http-post/request-count')).toBeUndefined();
    expect(context.metrics.names().some((name) => name.startsWith('http/'))).toBe(false);
  });

  it("takes the task-level url as the default of Iter8's endpoints", async () => {
    const server = await serve();
    const context = taskContext();
    await httpTask.run(
      { url: `${server.url}/default`, qps: 0, numRequests: 1, endpoints: { a: { url: `${server.url}/a` } } },
      context,
    );
    expect(server.seen.map((r) => r.url)).toEqual(['/a']);
    expect(context.metrics.get(0, 'http-a/request-count')?.value).toBe(1);
  });
});

describe('validate warns about SLO metrics the http task will not produce', () => {
  async function warnings(http: string, slos: string): Promise<string[]> {
    const file = path.join(dir, `x-${Math.random().toString(36).slice(2)}.yaml`);
    const text =
      'apiVersion: canary/v1\nkind: Experiment\nmetadata:\n  name: x\nspec:\n  tasks:\n' +
      `    - task: http\n      with:\n${http}    - task: assess\n      with:\n        SLOs:\n          upper:\n${slos}`;
    await writeFile(file, text);
    const loaded = await loadExperiment({ file, cwd: dir, values: {} });
    return loaded.diagnostics.map((d) => `${d.severity} ${d.message} (${d.hint ?? ''})`);
  }

  it('flags a percentile that is not collected, and accepts defaults and extras in any spelling', async () => {
    const http = '        url: http://svc/\n        percentiles: [97.5]\n';
    expect(
      await warnings(http, '            http/latency-p50.0: 10\n            http/latency-p97.5: 10\n'),
    ).toEqual([]);
    expect(await warnings(http, '            http/latency-p98: 10\n')).toEqual([
      `warning no task in this experiment produces "http/latency-p98" (add 98 to the http task's percentiles)`,
    ]);
  });

  it("points http-<name>/ metrics at Iter8's named endpoints", async () => {
    const perVersion = '        endpoints:\n          get:\n            url: http://svc/\n';
    const [warning] = await warnings(perVersion, '            http-get/latency-mean: 10\n');
    expect(warning).toContain('no task in this experiment produces "http-get/latency-mean"');
    expect(warning).toContain("Iter8's named endpoints");
    const named = '        endpoints:\n          get:\n            url: http://svc/\n            qps: 2\n';
    expect(await warnings(named, '            http-get/latency-mean: 10\n')).toEqual([]);
  });
});
