import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type QueryOptions, queryBackend } from '../../src/metrics/backend/http-query.js';
import { fetchCached } from '../../src/metrics/templates/template-source.js';
import { sendNotification } from '../../src/tasks/notify/send-notification.js';
import { closeHttpConnections, proxySettings } from '../../src/util/http-dispatcher.js';
import { type ForwardProxy, startForwardProxy } from '../support/forward-proxy.js';
import { runOneLoop } from '../support/run-one-loop.js';
import { makeTestCertificate } from '../support/test-certificate.js';
import {
  type Handler,
  type LoopbackServer,
  closedPort,
  sendJson,
  startServer,
} from '../metrics/backend/loopback-server.js';

const FAST: QueryOptions = { timeoutMs: 5_000, retries: 0 };
const vector = { status: 'success', data: { resultType: 'vector', result: [] } };

const open: { close(): Promise<void> }[] = [];
async function serve(handler: Handler, tls?: { key: string; cert: string }): Promise<LoopbackServer> {
  const server = await startServer(handler, tls);
  open.push(server);
  return server;
}
async function proxy(options: { credentials?: string } = {}): Promise<ForwardProxy> {
  const started = await startForwardProxy(options);
  open.push(started);
  return started;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'canary-proxy-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await closeHttpConnections();
  await Promise.all(open.splice(0).map((server) => server.close()));
});

describe('proxySettings', () => {
  it('reads either case, lower case first, and treats empty values as unset', () => {
    expect(proxySettings({})).toBeUndefined();
    expect(proxySettings({ HTTP_PROXY: ' ', NO_PROXY: 'x' })).toBeUndefined();
    expect(proxySettings({ HTTPS_PROXY: 'http://p:1', no_proxy: 'a,b' })).toEqual({
      httpProxy: '',
      httpsProxy: 'http://p:1',
      noProxy: 'a,b',
    });
    expect(proxySettings({ http_proxy: 'http://low:1', HTTP_PROXY: 'http://up:1' })?.httpProxy).toBe(
      'http://low:1',
    );
  });

  it('takes host:port as an http proxy, as curl does', () => {
    expect(proxySettings({ HTTPS_PROXY: 'proxy.corp:3128' })?.httpsProxy).toBe('http://proxy.corp:3128');
  });

  it('names the variable of a malformed proxy URL without showing its credentials', () => {
    expect(() => proxySettings({ https_proxy: 'ftp://al:s3cret@proxy:21' })).toThrow(
      'https_proxy is not a proxy URL (ftp://***@proxy:21): set it like http://proxy.example.com:3128, or unset it',
    );
  });
});

describe('metrics queries behind a proxy', () => {
  it('go through HTTP_PROXY, and straight to a host listed in NO_PROXY', async () => {
    const backend = await serve((_, res) => sendJson(res, 200, vector));
    const forward = await proxy();
    const url = `${backend.url}/api/v1/query?query=up`;
    const viaProxy = await queryBackend(
      { url, method: 'GET', headers: {} },
      { ...FAST, env: { HTTP_PROXY: forward.url } },
    );
    expect(viaProxy).toMatchObject({ ok: true, status: 200 });
    expect(forward.requests.map((r) => r.target)).toEqual([`127.0.0.1:${backend.port}`]);

    const direct = await queryBackend(
      { url, method: 'GET', headers: {} },
      { ...FAST, env: { HTTP_PROXY: forward.url, NO_PROXY: 'example.com,127.0.0.1' } },
    );
    expect(direct).toMatchObject({ ok: true, status: 200 });
    expect(forward.requests).toHaveLength(1);
    expect(backend.requests).toHaveLength(2);
  });

  it('tunnel https through HTTPS_PROXY with CONNECT, checking the backend against its own CA', async () => {
    const certificate = makeTestCertificate(dir);
    const backend = await serve((_, res) => sendJson(res, 200, vector), certificate);
    const forward = await proxy();
    const request = { url: `${backend.url}/api/v1/query?query=up`, method: 'GET' as const, headers: {} };
    const env = { https_proxy: forward.url };

    const trusted = await queryBackend(request, { ...FAST, env, tls: { ca: certificate.cert } });
    expect(trusted).toMatchObject({ ok: true, status: 200 });
    expect(forward.requests).toEqual([
      { method: 'CONNECT', target: `127.0.0.1:${backend.port}`, proxyAuthorization: undefined },
    ]);

    // Without the CA the tunnelled TLS handshake must fail: the proxy does not weaken verification.
    const untrusted = await queryBackend(request, { ...FAST, env });
    expect(untrusted.ok).toBe(false);
    expect(backend.requests).toHaveLength(1);
  });

  it('send proxy credentials from the URL, and never show them in a failure', async () => {
    const backend = await serve((_, res) => sendJson(res, 200, vector));
    const forward = await proxy({ credentials: 'alice:pr0xy-s3cret' });
    const request = { url: `${backend.url}/api/v1/query`, method: 'GET' as const, headers: {} };
    const proxyUrl = `http://alice:pr0xy-s3cret@127.0.0.1:${forward.port}`;
    const ok = await queryBackend(request, { ...FAST, env: { HTTP_PROXY: proxyUrl } });
    expect(ok).toMatchObject({ ok: true });
    expect(forward.requests[0]?.proxyAuthorization).toBe(
      `Basic ${Buffer.from('alice:pr0xy-s3cret').toString('base64')}`,
    );

    const wrong = await queryBackend(request, {
      ...FAST,
      env: { HTTP_PROXY: `http://alice:wr0ng-s3cret@127.0.0.1:${forward.port}` },
    });
    const down = await queryBackend(request, {
      ...FAST,
      env: { HTTP_PROXY: `http://alice:pr0xy-s3cret@127.0.0.1:${await closedPort()}` },
    });
    const malformed = await queryBackend(request, {
      ...FAST,
      env: { HTTP_PROXY: `http://alice:pr0xy-s3cret@127.0.0.1:${forward.port}:bad` },
    });
    expect(malformed).toMatchObject({
      ok: false,
      reason: expect.stringContaining('HTTP_PROXY is not a proxy URL'),
    });
    for (const failure of [wrong, down, malformed]) {
      expect(failure.ok).toBe(false);
      expect(JSON.stringify(failure)).not.toMatch(/s3cret|alice/);
    }
  });
});

describe('notifications and template fetches behind a proxy', () => {
  it('a webhook goes through the proxy, and bypasses it for NO_PROXY hosts', async () => {
    const hook = await serve((_, res) => void res.writeHead(204).end());
    const forward = await proxy();
    const request = {
      url: `${hook.url}/hook`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body: '{"verdict":"pass"}',
    };
    const sent = await sendNotification(request, {
      timeoutMs: 5_000,
      retries: 0,
      env: { http_proxy: forward.url },
    });
    expect(sent).toEqual({ ok: true, status: 204, attempts: 1 });
    expect(forward.requests.map((r) => r.target)).toEqual([`127.0.0.1:${hook.port}`]);
    expect(hook.requests[0]).toMatchObject({ method: 'POST', url: '/hook', body: '{"verdict":"pass"}' });

    const bypassed = await sendNotification(request, {
      timeoutMs: 5_000,
      retries: 0,
      env: { http_proxy: forward.url, no_proxy: `127.0.0.1:${hook.port}` },
    });
    expect(bypassed).toMatchObject({ ok: true });
    expect(forward.requests).toHaveLength(1);
    expect(hook.requests).toHaveLength(2);
  });

  it('a template URL is fetched through the proxy, and directly for NO_PROXY hosts', async () => {
    const origin = await serve((_, res) => void res.writeHead(200).end('up{job="x"}'));
    const forward = await proxy();
    const url = `${origin.url}/t.tpl`;
    const cacheDir = path.join(dir, 'cache-template');
    const bytes = await fetchCached(url, { kind: 'template', cacheDir, env: { HTTP_PROXY: forward.url } });
    expect(bytes.toString()).toBe('up{job="x"}');
    expect(forward.requests.map((r) => r.target)).toEqual([`127.0.0.1:${origin.port}`]);

    await fetchCached(url, {
      kind: 'template',
      cacheDir,
      env: { HTTP_PROXY: forward.url, NO_PROXY: '127.0.0.1' },
    });
    expect(forward.requests).toHaveLength(1);
    expect(origin.requests).toHaveLength(2);
  });

  it('a notify task in a loop takes the proxy from the environment its context was given', async () => {
    const hook = await serve((_, res) => void res.writeHead(200).end('ok'));
    const forward = await proxy();
    const experimentDir = mkdtempSync(path.join(dir, 'loop-'));
    writeFileSync(
      path.join(experimentDir, 'e.yaml'),
      [
        'apiVersion: canary/v1',
        'kind: Experiment',
        'metadata: {name: n}',
        'spec:',
        '  tasks:',
        '    - task: notify',
        '      with:',
        '        webhook:',
        `          url: "${hook.url}/loop"`,
        '          payload: \'{"loop": {{ loop }}}\'',
        '',
      ].join('\n'),
    );
    await runOneLoop(experimentDir, { env: { HTTPS_PROXY: '', HTTP_PROXY: forward.url } });
    expect(forward.requests.map((r) => r.target)).toEqual([`127.0.0.1:${hook.port}`]);
    expect(hook.requests.map((r) => r.body)).toEqual(['{"loop": 1}']);
  });
});
