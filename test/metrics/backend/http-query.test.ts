import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type BackendResponse,
  type QueryOptions,
  type RetryEvent,
  closeBackendConnections,
  queryBackend,
} from '../../../src/metrics/backend/http-query.js';
import { extractWithJq } from '../../../src/metrics/backend/jq.js';
import { createQueryPool } from '../../../src/metrics/backend/query-pool.js';
import { Redactor } from '../../../src/metrics/backend/redactor.js';
import { makeTestCertificate } from '../../support/test-certificate.js';
import { type Handler, type LoopbackServer, closedPort, sendJson, startServer } from './loopback-server.js';

const FAST: QueryOptions = { timeoutMs: 2_000, retries: 2, minRetryDelayMs: 1, maxRetryDelayMs: 5 };
const QUERY_PATH = '/api/v1/query';

const servers: LoopbackServer[] = [];
async function serve(handler: Handler, tls?: { key: string; cert: string }): Promise<LoopbackServer> {
  const server = await startServer(handler, tls);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await closeBackendConnections();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const get = (url: string, headers: Record<string, string> = {}) => ({ url, method: 'GET' as const, headers });

const vector = (value: string) => ({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: { version: 'v2' }, value: [1700000000, value] }] },
});

function failed(response: BackendResponse): { reason: string; status?: number; attempts: number } {
  if (response.ok) throw new Error(`expected a failure, got ${JSON.stringify(response)}`);
  return response;
}

describe('queryBackend: success and retries', () => {
  it('returns the JSON of a successful response', async () => {
    const server = await serve((_, res) => sendJson(res, 200, vector('3.5')));
    const response = await queryBackend(get(`${server.url}${QUERY_PATH}`), FAST);
    expect(response).toEqual({ ok: true, status: 200, json: vector('3.5'), attempts: 1 });
  });

  it('reports a refused connection after its retries', async () => {
    const port = await closedPort();
    const response = failed(await queryBackend(get(`http://127.0.0.1:${port}/`), FAST));
    expect(response.attempts).toBe(3);
    expect(response.status).toBeUndefined();
    expect(response.reason).toMatch(/^connection refused after 3 attempts: .*ECONNREFUSED/);
  });

  it('retries a 500 and succeeds', async () => {
    const server = await serve((_, res) =>
      server.requests.length === 1 ? sendJson(res, 500, 'boom') : sendJson(res, 200, vector('1')),
    );
    const events: RetryEvent[] = [];
    const response = await queryBackend(get(server.url), { ...FAST, onRetry: (event) => events.push(event) });
    expect(response).toMatchObject({ ok: true, status: 200, attempts: 2 });
    expect(events).toEqual([{ attempt: 1, reason: 'HTTP 500: boom' }]);
  });

  it('gives up on a backend that keeps answering 503', async () => {
    const server = await serve((_, res) =>
      sendJson(res, 503, { status: 'error', errorType: 'unavailable', error: 'too many queries' }),
    );
    const response = failed(await queryBackend(get(server.url), FAST));
    expect(response).toEqual({
      ok: false,
      status: 503,
      attempts: 3,
      reason: 'HTTP 503 after 3 attempts: Prometheus error (unavailable): too many queries',
    });
    expect(server.requests).toHaveLength(3);
  });

  it('honours Retry-After on 429', async () => {
    const server = await serve((_, res) =>
      server.requests.length === 1
        ? sendJson(res, 429, 'slow down', { 'retry-after': '1' })
        : sendJson(res, 200, vector('2')),
    );
    const events: RetryEvent[] = [];
    const response = await queryBackend(get(server.url), { ...FAST, onRetry: (event) => events.push(event) });
    expect(response).toMatchObject({ ok: true, attempts: 2 });
    expect(events).toEqual([{ attempt: 1, reason: 'HTTP 429: slow down', retryAfterMs: 1000 }]);
  });

  it('really waits for a Retry-After within its limit', async () => {
    const server = await serve((_, res) => sendJson(res, 429, 'later', { 'retry-after': '20' }));
    const controller = new AbortController();
    const events: RetryEvent[] = [];
    const pending = queryBackend(get(server.url), {
      ...FAST,
      signal: controller.signal,
      onRetry: (event) => {
        events.push(event);
        setImmediate(() => controller.abort(new Error('stop waiting')));
      },
    });
    await expect(pending).rejects.toThrow('stop waiting');
    expect(events).toEqual([{ attempt: 1, reason: 'HTTP 429: later', retryAfterMs: 20_000 }]);
    expect(server.requests).toHaveLength(1); // it was waiting, not retrying
  });

  it('gives up at once, saying why, when Retry-After is longer than it waits', async () => {
    const server = await serve((_, res) => sendJson(res, 429, 'later', { 'retry-after': '3600' }));
    const events: RetryEvent[] = [];
    const response = await queryBackend(get(server.url), { ...FAST, onRetry: (event) => events.push(event) });
    expect(response).toEqual({
      ok: false,
      status: 429,
      attempts: 1,
      reason:
        'HTTP 429: later (the server asked to retry after 3600 s, longer than canary waits (30 s); not retried)',
    });
    expect(events).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry a 400', async () => {
    const server = await serve((_, res) =>
      sendJson(res, 400, {
        status: 'error',
        errorType: 'bad_data',
        error: '1:5: parse error: unexpected ")"',
      }),
    );
    const response = failed(await queryBackend(get(server.url), FAST));
    expect(response).toEqual({
      ok: false,
      status: 400,
      attempts: 1,
      reason: 'HTTP 400: Prometheus error (bad_data): 1:5: parse error: unexpected ")"',
    });
  });

  it('reports a Prometheus error inside a 200', async () => {
    const server = await serve((_, res) =>
      sendJson(res, 200, { status: 'error', errorType: 'execution', error: 'oops' }),
    );
    const response = failed(await queryBackend(get(server.url), FAST));
    expect(response).toMatchObject({
      attempts: 1,
      status: 200,
      reason: 'HTTP 200: Prometheus error (execution): oops',
    });
  });

  it('times out a slow response, per attempt', async () => {
    const server = await serve(() => undefined); // never answers
    const response = failed(await queryBackend(get(server.url), { ...FAST, timeoutMs: 100, retries: 1 }));
    expect(response).toEqual({
      ok: false,
      attempts: 2,
      reason: 'timeout after 2 attempts: no response within 100ms',
    });
    expect(server.requests).toHaveLength(2);
  });

  it('times out a body that never finishes', async () => {
    const server = await serve((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":');
    });
    const response = failed(await queryBackend(get(server.url), { ...FAST, timeoutMs: 100, retries: 0 }));
    expect(response.reason).toBe('timeout: response body incomplete after 100ms');
  });

  it('reports a connection dropped in the middle of the body', async () => {
    const server = await serve((_, res, raw) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"status":"success","data":', () => raw.socket.destroy());
    });
    const response = failed(await queryBackend(get(server.url), { ...FAST, retries: 1 }));
    expect(response.attempts).toBe(2);
    expect(response.reason).toMatch(/^connection closed after 2 attempts: response cut off: /);
  });

  it('rejects a body that is not JSON', async () => {
    const html = `<html><body>${'Login required. '.repeat(20)}</body></html>`;
    const server = await serve((_, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    });
    const response = failed(await queryBackend(get(server.url), FAST));
    expect(response.attempts).toBe(1);
    expect(response.reason).toBe(`HTTP 200: response is not JSON: ${html.slice(0, 80)}…`);
  });

  it('does not follow redirects (they could carry credentials elsewhere)', async () => {
    const server = await serve((_, res) => {
      res.writeHead(302, { location: 'https://elsewhere.example/api' });
      res.end();
    });
    const response = failed(await queryBackend(get(server.url), FAST));
    expect(response).toMatchObject({ status: 302, attempts: 1 });
    expect(response.reason).toBe(
      'HTTP 302: redirect to https://elsewhere.example/api not followed; use the final URL',
    );
  });

  it('reports an invalid URL without sending anything', async () => {
    expect(await queryBackend(get('not a url'), FAST)).toEqual({
      ok: false,
      reason: 'invalid URL "not a url"',
      attempts: 0,
    });
    expect(failed(await queryBackend(get('ftp://x/'), FAST)).reason).toMatch(/unsupported URL scheme "ftp:"/);
  });

  it('throws when the caller aborts', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    const pending = queryBackend(get(server.url), { ...FAST, signal: controller.signal });
    setImmediate(() => controller.abort(new Error('interrupted')));
    await expect(pending).rejects.toThrow('interrupted');
  });

  it('aborting one signal stops every query in flight under it, without a listener per query', async () => {
    const server = await serve(() => undefined);
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const pending = Array.from({ length: 20 }, () =>
        queryBackend(get(server.url), { ...FAST, signal: controller.signal }),
      );
      while (server.requests.length < 20) await new Promise((resolve) => setImmediate(resolve));
      controller.abort(new Error('interrupted'));
      const outcomes = await Promise.allSettled(pending);
      expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : o.status))).toEqual(
        Array.from({ length: 20 }, () => 'interrupted'),
      );
      // Node emits its listener-leak warning on the next tick
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it('a query that starts under an aborted signal is not sent', async () => {
    const server = await serve((_, res) => sendJson(res, 200, vector('1')));
    const controller = new AbortController();
    controller.abort(new Error('already stopped'));
    await expect(queryBackend(get(server.url), { ...FAST, signal: controller.signal })).rejects.toThrow(
      'already stopped',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('reuses a kept-alive connection', async () => {
    const server = await serve((_, res) => sendJson(res, 200, vector('1')));
    for (let i = 0; i < 4; i++) await queryBackend(get(server.url), FAST);
    expect(server.requests).toHaveLength(4);
    const ports = new Set(server.requests.map((request) => request.remotePort));
    expect(ports.size).toBeLessThan(4); // undici may open a second one while the first is being released
  });
});

describe('queryBackend: parameters', () => {
  const params = [
    { name: 'query', value: 'sum(rate(http_requests_total{version="v2", code=~"5.."}[5m])) / 2 + 1' },
    { name: 'time', value: '1700000000.5' },
  ];

  it('URL-encodes GET params into the query string', async () => {
    const server = await serve((_, res) => sendJson(res, 200, vector('1')));
    await queryBackend({ ...get(`${server.url}${QUERY_PATH}?dedup=true`), params }, FAST);
    const url = new URL(server.requests[0]?.url ?? '', server.url);
    expect(url.pathname).toBe(QUERY_PATH);
    expect([...url.searchParams]).toEqual([
      ['dedup', 'true'],
      ['query', params[0]?.value],
      ['time', '1700000000.5'],
    ]);
  });

  it('sends POST params as a form when there is no body', async () => {
    const server = await serve((_, res) => sendJson(res, 200, vector('1')));
    const response = await queryBackend(
      { url: `${server.url}${QUERY_PATH}`, method: 'POST', headers: {}, params },
      FAST,
    );
    expect(response.ok).toBe(true);
    const request = server.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(QUERY_PATH);
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect([...new URLSearchParams(request?.body)]).toEqual(params.map(({ name, value }) => [name, value]));
  });

  it('sends a POST body as given, params then go into the URL', async () => {
    const server = await serve((_, res) => sendJson(res, 200, { ok: 1 }));
    const body = JSON.stringify({ metric: 'latency' });
    await queryBackend(
      {
        url: server.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        params: [{ name: 'a', value: 'b c' }],
        body,
      },
      FAST,
    );
    expect(server.requests[0]).toMatchObject({ url: '/?a=b+c', body });
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
  });
});

describe('queryBackend + jq', () => {
  async function extract(body: unknown, expression = '.data.result[0].value[1]') {
    const server = await serve((_, res) => sendJson(res, 200, body));
    const response = await queryBackend(get(server.url), FAST);
    if (!response.ok) throw new Error(response.reason);
    return extractWithJq(response.json, expression);
  }

  it('explains an empty vector', async () => {
    const empty = { status: 'success', data: { resultType: 'vector', result: [] } };
    expect(await extract(empty)).toEqual({ value: null, reason: 'jq returned null (empty result?)' });
  });

  it('turns NaN and +Inf samples into reasons', async () => {
    expect(await extract(vector('NaN'))).toEqual({ value: null, reason: 'NaN' });
    expect(await extract(vector('+Inf'))).toEqual({ value: null, reason: '+Inf' });
    expect(await extract(vector('0.25'))).toEqual({ value: 0.25 });
  });
});

describe('queryBackend: secrets', () => {
  const token = 's3cr3t-t0ken/with+chars=';

  it('never puts header values in reasons, even when the server echoes them', async () => {
    const server = await serve((request, res) =>
      sendJson(res, 401, {
        error: `bad credentials: ${request.headers.authorization} ${request.headers['x-api-key']} ${encodeURIComponent(token)}`,
      }),
    );
    const response = failed(
      await queryBackend(
        get(server.url, {
          Authorization: `Bearer ${token}`,
          'X-Api-Key': 'key-12345',
          'X-Scope-OrgID': 'tenant-one',
        }),
        FAST,
      ),
    );
    expect(response.status).toBe(401);
    expect(response.reason).not.toContain(token);
    expect(response.reason).not.toContain(encodeURIComponent(token));
    expect(response.reason).not.toContain('key-12345');
    expect(response.reason).toContain('bad credentials: ***');
  });

  it('redacts before cutting the body to an excerpt, so no half of a secret is left', async () => {
    // The token starts 12 characters before the 200-character excerpt ends.
    const server = await serve((request, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end(`${'p'.repeat(188)}${request.headers.authorization!.slice('Bearer '.length)}`);
    });
    const response = failed(await queryBackend(get(server.url, { Authorization: `Bearer ${token}` }), FAST));
    expect(response.reason).toBe(`HTTP 401: ${'p'.repeat(188)}***`);
  });

  it('keeps out secrets the caller knows but the headers do not show (a basic-auth password)', async () => {
    const password = 'pass-w0rd-4f2a9c';
    const server = await serve((_request, res) => sendJson(res, 403, `wrong password ${password}`));
    const basic = `Basic ${Buffer.from(`user:${password}`).toString('base64')}`;
    const response = failed(
      await queryBackend(get(server.url, { Authorization: basic }), {
        ...FAST,
        redactor: new Redactor().add(password),
      }),
    );
    expect(response.reason).toBe('HTTP 403: wrong password ***');
  });

  it('redacts reasons passed to onRetry as well', async () => {
    const server = await serve((request, res) =>
      sendJson(res, 503, `down for ${request.headers.authorization}`),
    );
    const events: RetryEvent[] = [];
    const response = failed(
      await queryBackend(get(server.url, { authorization: `Bearer ${token}` }), {
        ...FAST,
        retries: 1,
        onRetry: (event) => events.push(event),
      }),
    );
    expect(events.map((event) => event.reason)).toEqual(['HTTP 503: down for ***']);
    expect(response.reason).toBe('HTTP 503 after 2 attempts: down for ***');
  });
});

describe('queryBackend: TLS', () => {
  let dir: string | undefined;
  let cert = '';
  let key = '';

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'canary-tls-'));
    ({ cert, key } = makeTestCertificate(dir));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('trusts a custom CA, and refuses the self-signed certificate without it', async () => {
    const server = await serve((_, res) => sendJson(res, 200, vector('7')), { key, cert });

    const untrusted = failed(await queryBackend(get(server.url), FAST));
    expect(untrusted.attempts).toBe(1); // a certificate problem does not go away
    expect(untrusted.reason).toMatch(/^TLS error: .*self-signed/i);

    const trusted = await queryBackend(get(server.url), { ...FAST, tls: { ca: cert } });
    expect(trusted).toMatchObject({ ok: true, json: vector('7') });

    const insecure = await queryBackend(get(server.url), { ...FAST, tls: { insecure: true } });
    expect(insecure).toMatchObject({ ok: true });
  });
});

describe('query pool', () => {
  it('keeps at most 4 of 20 queries in flight', async () => {
    const bound = 4;
    let inFlight = 0;
    let maxInFlight = 0;
    let held: Array<() => void> = [];
    const release = () => {
      for (const send of held.splice(0)) send();
    };
    // Hold answers until `bound` requests wait together: deterministic, no sleeps.
    const server = await serve((_, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      held.push(() => {
        inFlight--;
        sendJson(res, 200, vector('1'));
      });
      if (held.length === bound) release();
    });
    const safety = setInterval(release, 1_000); // a pool that allows fewer would otherwise hang
    try {
      const pool = createQueryPool(bound);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => pool(() => queryBackend(get(server.url), FAST))),
      );
      expect(results.every((result) => result.ok)).toBe(true);
    } finally {
      clearInterval(safety);
      held = [];
    }
    expect(server.requests).toHaveLength(20);
    expect(maxInFlight).toBe(bound);
  });
});
