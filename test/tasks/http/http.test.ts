import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TaskError } from '../../../src/errors.js';
import { httpTask, type HttpInput } from '../../../src/tasks/http/http.js';
import { withTempDir } from '../../engine/helpers.js';
import {
  after,
  closedPortUrl,
  startServer,
  taskContext,
  valueOf,
  type Responder,
} from './loopback-server.js';
import { closedAfterEach } from '../../support/closed-after-each.js';

const serve = closedAfterEach((respond?: Responder) => startServer(respond));

/** Unthrottled unless a test sets qps: the default 8 qps would make every count test slow. */
function run(input: HttpInput, context = taskContext()) {
  return httpTask.run({ qps: 0, ...input }, context);
}

const status =
  (pick: (n: number) => number): Responder =>
  (n, _request, response) => {
    response.writeHead(pick(n));
    response.end('body');
  };

describe('http task: counts', () => {
  it('sends exactly numRequests and counts them', async () => {
    const server = await serve();
    const context = taskContext();
    const result = await run({ url: `${server.url}/path?q=1`, numRequests: 37, connections: 4 }, context);
    expect(server.seen).toHaveLength(37);
    expect(server.seen.every((r) => r.method === 'GET' && r.url === '/path?q=1')).toBe(true);
    expect(valueOf(context, 'request-count')).toBe(37);
    expect(valueOf(context, 'error-count')).toBe(0);
    expect(valueOf(context, 'error-rate')).toBe(0);
    expect(result?.output).toContain('37 requests');
    expect(context.metrics.info.get('http/latency-p50')).toMatchObject({ units: 'ms', type: 'gauge' });
  });

  it('sends 100 requests over 4 connections by default', async () => {
    const server = await serve();
    const context = taskContext();
    await run({ url: server.url }, context);
    expect(server.seen).toHaveLength(100);
    expect(valueOf(context, 'request-count')).toBe(100);
  });

  it('counts every 4th request answered 500 as an error', async () => {
    const server = await serve(status((n) => (n % 4 === 0 ? 500 : 200)));
    const context = taskContext();
    await run({ url: server.url, numRequests: 100, connections: 3 }, context);
    expect(valueOf(context, 'request-count')).toBe(100);
    expect(valueOf(context, 'error-count')).toBe(25);
    expect(valueOf(context, 'error-rate')).toBe(0.25);
  });

  it('counts only the statuses inside errorRanges', async () => {
    // 1: 404, 2: 500, 3: 503, 4: 200, repeating.
    const statuses = [200, 404, 500, 503];
    const respond = status((n) => statuses[n % 4]!);
    const cases: Array<[HttpInput['errorRanges'], number]> = [
      [undefined, 75],
      [[{ lower: 500 }], 50],
      [[{ lower: 404, upper: 404 }], 25],
      [[{ upper: 404 }], 50],
      [
        [
          { lower: 404, upper: 404 },
          { lower: 503, upper: 503 },
        ],
        50,
      ],
      [[], 0],
    ];
    for (const [errorRanges, errors] of cases) {
      const server = await serve(respond);
      const context = taskContext();
      await run({ url: server.url, numRequests: 40, ...(errorRanges ? { errorRanges } : {}) }, context);
      expect({ errorRanges, errors: valueOf(context, 'error-count') }).toEqual({
        errorRanges,
        errors: (errors * 40) / 100,
      });
    }
  });

  it('excludes warmup requests from the counts', async () => {
    const server = await serve();
    const context = taskContext();
    await run({ url: server.url, numRequests: 20, warmup: 10 }, context);
    expect(server.seen).toHaveLength(30);
    expect(valueOf(context, 'request-count')).toBe(20);
  });

  it('warms up for a duration before measuring', async () => {
    const server = await serve((_n, _r, response) => after(2, () => response.end('ok')));
    const context = taskContext();
    await run({ url: server.url, numRequests: 10, connections: 1, warmup: '20ms' }, context);
    // At most one request per 2 ms fits in 20 ms (one connection), at least one is sent.
    expect(server.seen.length).toBeGreaterThan(10);
    expect(server.seen.length).toBeLessThanOrEqual(10 + 11);
    expect(valueOf(context, 'request-count')).toBe(10);
  });

  it('runs for a duration', async () => {
    const server = await serve((_n, _r, response) => after(5, () => response.end('ok')));
    const context = taskContext();
    await run({ url: server.url, duration: '50ms', connections: 2 }, context);
    const count = valueOf(context, 'request-count')!;
    // Two connections, each at most one request per 5 ms, for 50 ms: at most 2 * (10 + 1).
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBeLessThanOrEqual(22);
    expect(server.seen).toHaveLength(count);
  });
});

describe('http task: latency', () => {
  it('measures a fixed 20 ms delay', async () => {
    const server = await serve((_n, _r, response) => after(20, () => response.end('slow')));
    const context = taskContext();
    await run({ url: server.url, numRequests: 24, connections: 4 }, context);
    const p = (name: string) => valueOf(context, name)!;
    expect(p('latency-min')).toBeGreaterThanOrEqual(20);
    expect(p('latency-p50')).toBeGreaterThanOrEqual(20);
    expect(p('latency-p50')).toBeLessThan(60);
    // Percentiles are ordered and within [min, max].
    const names = ['latency-min', 'latency-p50', 'latency-p75', 'latency-p90', 'latency-p95', 'latency-p99'];
    const values = [...names, 'latency-p99.9', 'latency-max'].map(p);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(p('latency-mean')).toBeGreaterThanOrEqual(p('latency-min'));
    expect(p('latency-mean')).toBeLessThanOrEqual(p('latency-max'));
    expect(p('latency-stddev')).toBeGreaterThanOrEqual(0);
    expect(context.metrics.get(0, 'http/latency-p99.90')).toBeDefined();
  });

  it('records the percentiles asked for in addition to the defaults, as Iter8 did', async () => {
    const server = await serve();
    const context = taskContext();
    await run({ url: server.url, numRequests: 10, percentiles: [10, 99.99, 50] }, context);
    expect(valueOf(context, 'latency-p10')).toBeGreaterThan(0);
    expect(valueOf(context, 'latency-p99.99')).toBeGreaterThan(0);
    for (const p of ['50', '75', '90', '95', '99', '99.9']) {
      expect(valueOf(context, `latency-p${p}`)).toBeGreaterThan(0);
    }
    // Any other percentile is computed from the histogram when an SLO asks.
    expect(context.metrics.names()).not.toContain('http/latency-p97.5');
    expect(valueOf(context, 'latency/p97.5')).toBeGreaterThan(0);
    expect(context.metrics.names()).toContain('http/latency-p97.5');
  });

  it('at a constant rate, counts latency from the intended send time', async () => {
    // The server stops answering for 500 ms once: requests meant for that time wait too.
    let stallUntil = 0;
    const server = await serve((n, _r, response) => {
      if (n === 10) stallUntil = performance.now() + 500;
      const wait = stallUntil - performance.now();
      if (wait > 0) after(wait, () => response.end('late'));
      else response.end('ok');
    });
    const context = taskContext();
    await run({ url: server.url, numRequests: 60, qps: 50, connections: 2 }, context);
    expect(valueOf(context, 'request-count')).toBe(60);
    // The 10th request alone waited 500 ms; the ones queued behind it count their wait too.
    expect(valueOf(context, 'latency-max')).toBeGreaterThanOrEqual(500);
    expect(valueOf(context, 'latency-p99')).toBeGreaterThanOrEqual(400);
    expect(valueOf(context, 'latency-p90')).toBeGreaterThanOrEqual(100);
  });

  it('counts timeouts as errors with their latency', async () => {
    const server = await serve(() => {
      // never answers
    });
    const context = taskContext();
    const error = await run(
      { url: server.url, numRequests: 4, connections: 2, timeout: '100ms' },
      context,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect(error).toMatchObject({ kind: 'error' });
    expect((error as Error).message).toMatch(/could not reach .*timed out after 100ms/);
    expect(valueOf(context, 'request-count')).toBe(4);
    expect(valueOf(context, 'error-count')).toBe(4);
    expect(valueOf(context, 'latency-min')).toBeGreaterThanOrEqual(100);
  });
});

describe('http task: requests', () => {
  it('POSTs a JSON payload as application/json', async () => {
    const server = await serve();
    await run({ url: server.url, numRequests: 3, payload: { model: 'a', inputs: [1, 2] } });
    expect(server.seen).toHaveLength(3);
    for (const request of server.seen) {
      expect(request).toMatchObject({
        method: 'POST',
        url: '/',
        contentType: 'application/json',
        body: '{"model":"a","inputs":[1,2]}',
      });
    }
  });

  it('sends a payload file relative to the experiment with its content type', async () => {
    await withTempDir(async (dir) => {
      await writeFile(path.join(dir, 'input.json'), '{"instances": [[1, 2, 3]]}\n');
      await writeFile(path.join(dir, 'blob.bin'), Buffer.from([1, 2, 3]));
      const server = await serve();
      const context = taskContext({ experimentDir: dir });
      await run({ url: server.url, numRequests: 2, payload: { file: 'input.json' } }, context);
      expect(server.seen[0]).toMatchObject({
        method: 'POST',
        url: '/',
        contentType: 'application/json',
        body: '{"instances": [[1, 2, 3]]}\n',
      });
      await run({ url: server.url, numRequests: 1, method: 'PUT', payload: { file: 'blob.bin' } }, context);
      expect(server.seen[2]).toMatchObject({ method: 'PUT', contentType: 'application/octet-stream' });
    });
  });

  it('sends an inline string with the given content type and headers', async () => {
    const server = await serve((_n, _request, response) => response.end());
    const context = taskContext();
    await run(
      {
        url: server.url,
        numRequests: 1,
        payload: 'a,b\n1,2\n',
        contentType: 'text/csv',
        headers: { 'X-Test': 'yes' },
      },
      context,
    );
    expect(server.seen[0]).toMatchObject({
      method: 'POST',
      url: '/',
      contentType: 'text/csv',
      body: 'a,b\n1,2\n',
    });
    expect(server.seen[0]?.headers['x-test']).toBe('yes');
  });

  it('measures each endpoint as a version, in key order or as versions maps them', async () => {
    const good = await serve();
    const bad = await serve(status(() => 503));
    const endpoints = { stable: { url: `${good.url}/v1` }, candidate: { url: `${bad.url}/v2` } };

    const byKey = taskContext();
    await run({ endpoints, numRequests: 5 }, byKey);
    expect([valueOf(byKey, 'error-rate', 0), valueOf(byKey, 'error-rate', 1)]).toEqual([0, 1]);
    expect([valueOf(byKey, 'request-count', 0), valueOf(byKey, 'request-count', 1)]).toEqual([5, 5]);

    const mapped = taskContext();
    await run({ endpoints, versions: ['candidate', 'stable'], numRequests: 5 }, mapped);
    expect([valueOf(mapped, 'error-rate', 0), valueOf(mapped, 'error-rate', 1)]).toEqual([1, 0]);
    expect(good.seen.map((r) => r.url)).toEqual(Array(10).fill('/v1'));
  });

  it('names each version in its progress line, as the experiment named it', async () => {
    const server = await serve();
    const named = taskContext({ versions: ['baseline', 'candidate'] });
    await run({ endpoints: { a: { url: server.url }, b: { url: server.url } }, numRequests: 2 }, named);
    const firstLines = named.logs.map((log) => log.split(' ')[0]);
    expect(firstLines).toEqual(expect.arrayContaining(['baseline', 'candidate']));
    const unnamed = taskContext();
    await run({ url: server.url, numRequests: 2 }, unnamed);
    expect(unnamed.logs.some((log) => log.startsWith(`version-0 GET ${server.url}: 2 requests`))).toBe(true);
  });

  it('merges task-level settings into endpoints', async () => {
    const server = await serve();
    await run({
      endpoints: {
        a: { url: `${server.url}/a` },
        b: { url: `${server.url}/b`, payload: 'x', method: 'PATCH' },
      },
      payload: { y: 1 },
      numRequests: 1,
    });
    expect(server.seen).toMatchObject([
      { method: 'POST', url: '/a', contentType: 'application/json', body: '{"y":1}' },
      { method: 'PATCH', url: '/b', contentType: 'text/plain; charset=utf-8', body: 'x' },
    ]);
  });
});

describe('http task: headers from secrets', () => {
  const token = 'tok-7f3a9c1e5b';

  it('sends header values from an env variable (with a prefix) and a file, and never shows them', async () => {
    await withTempDir(async (dir) => {
      await writeFile(path.join(dir, 'tenant'), 'team-blue\n');
      const server = await serve();
      const context = { ...taskContext({ experimentDir: dir }), env: { LOAD_TOKEN: token } };
      const result = await run(
        {
          url: server.url,
          numRequests: 3,
          headersFrom: {
            Authorization: { env: 'LOAD_TOKEN', prefix: 'Bearer ' },
            'X-Scope-OrgID': { file: 'tenant' },
          },
        },
        context,
      );
      expect(server.seen).toHaveLength(3);
      for (const request of server.seen) {
        expect(request.headers.authorization).toBe(`Bearer ${token}`);
        expect(request.headers['x-scope-orgid']).toBe('team-blue');
      }
      const shown = JSON.stringify([result, context.logs, context.metrics.toJSON(1)]);
      expect(shown).not.toContain(token);
      expect(shown).not.toContain('team-blue');
    });
  });

  it('an endpoint replaces a task-level header, literal or secret, whatever its case', async () => {
    const server = await serve();
    const context = { ...taskContext(), env: { A: 'from-env-a', B: 'from-env-b' } };
    await run(
      {
        endpoints: {
          one: { url: `${server.url}/one`, headers: { authorization: 'literal-one' } },
          two: { url: `${server.url}/two`, headersFrom: { 'X-Key': { env: 'B' } } },
        },
        headersFrom: { Authorization: { env: 'A' } },
        headers: { 'x-key': 'task-literal' },
        numRequests: 1,
      },
      context,
    );
    const [one, two] = server.seen;
    expect(one?.headers).toMatchObject({ authorization: 'literal-one', 'x-key': 'task-literal' });
    expect(two?.headers).toMatchObject({ authorization: 'from-env-a', 'x-key': 'from-env-b' });
  });

  it('a missing secret fails the task naming the variable or file, and sends nothing', async () => {
    await withTempDir(async (dir) => {
      const server = await serve();
      const missingEnv = await run(
        { url: server.url, numRequests: 1, headersFrom: { Authorization: { env: 'NOPE' } } },
        { ...taskContext({ experimentDir: dir }), env: {} },
      ).catch((error: unknown) => error);
      expect(missingEnv).toBeInstanceOf(TaskError);
      expect((missingEnv as Error).message).toBe(
        'header "authorization": environment variable NOPE is not set',
      );
      const missingFile = await run(
        { url: server.url, numRequests: 1, headersFrom: { Authorization: { file: 'absent' } } },
        taskContext({ experimentDir: dir }),
      ).catch((error: unknown) => error);
      expect((missingFile as Error).message).toMatch(
        /^header "authorization": cannot read secret file .*absent \(ENOENT\)$/,
      );
      expect(server.seen).toHaveLength(0);
    });
  });
});

describe('http task: failures and aborts', () => {
  it('is an execution error when nothing answers, with the metrics recorded', async () => {
    const url = await closedPortUrl();
    const context = taskContext();
    const error = await run({ url, numRequests: 20 }, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect(error).toMatchObject({ kind: 'error' });
    expect((error as Error).message).toMatch(/^could not reach http:\/\/127\.0\.0\.1:\d+\/: .*ECONNREFUSED/);
    expect(valueOf(context, 'request-count')).toBe(20);
    expect(valueOf(context, 'error-count')).toBe(20);
    expect(valueOf(context, 'error-rate')).toBe(1);
    expect(context.metrics.get(0, 'http/latency-p50')).toEqual({ value: null, reason: 'no responses' });
  });

  it('gives up early on an endpoint that never answers', async () => {
    const url = await closedPortUrl();
    const context = taskContext();
    await expect(run({ url, numRequests: 100_000 }, context)).rejects.toThrow(/could not reach/);
    const count = valueOf(context, 'request-count')!;
    expect(count).toBeGreaterThanOrEqual(50);
    expect(count).toBeLessThan(100);
    expect(valueOf(context, 'error-count')).toBe(count);
  });

  it('stops promptly when aborted and keeps what it measured', async () => {
    const controller = new AbortController();
    const server = await serve((n, _r, response) => {
      if (n === 30) controller.abort();
      after(2, () => response.end('ok'));
    });
    const context = taskContext({ signal: controller.signal });
    const error = await run(
      { endpoints: { a: { url: server.url }, b: { url: server.url } }, duration: '1h' },
      context,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TaskError', kind: 'error', message: 'interrupted' });
    const count = valueOf(context, 'request-count')!;
    // 30 requests reached the server; those in flight at the abort are not counted.
    expect(count).toBeGreaterThanOrEqual(30 - 4);
    expect(count).toBeLessThanOrEqual(30);
    expect(valueOf(context, 'error-count')).toBe(0);
    expect(valueOf(context, 'request-count', 1)).toBeUndefined();
  });

  it('does nothing when aborted before it starts', async () => {
    const server = await serve();
    const controller = new AbortController();
    controller.abort();
    const context = taskContext({ signal: controller.signal });
    await expect(run({ url: server.url }, context)).rejects.toThrow('interrupted');
    expect(server.seen).toHaveLength(0);
    expect(context.metrics.versionCount).toBe(0);
  });
});

describe('latency histograms for the report', () => {
  it('are recorded per version in the loop record, counts adding up to the requests', async () => {
    const { runLoop } = await import('../../../src/engine/run-loop.js');
    const { makePlan, registryOf } = await import('../../engine/helpers.js');
    const http = await import('node:http');
    const server = http.createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/`;
      const record = await runLoop({
        plan: makePlan([{ id: 'load', task: 'http', with: { url, numRequests: 25, connections: 1 } }]),
        registry: registryOf({}),
        loop: 1,
        experimentHash: 'x',
        experimentDir: process.cwd(),
        experimentStart: new Date(),
        values: {},
        signal: new AbortController().signal,
        observers: [],
      });
      expect(record.tasks[0]!.status).toBe('completed');
      const buckets = record.distributions![0]!['http/latency']!;
      expect(buckets.reduce((sum, b) => sum + b.count, 0)).toBe(25);
      expect(buckets.every((b, i) => i === 0 || Number(b.upper) > Number(buckets[i - 1]!.upper))).toBe(true);
      // The HTML report draws the same histogram.
      const { readHistograms } = await import('../../../src/report/read-histograms.js');
      const drawn = readHistograms(record, record.versions)!;
      expect(Object.values(drawn)[0]!.reduce((sum, b) => sum + b.count, 0)).toBe(25);
    } finally {
      server.close();
    }
  });
});
