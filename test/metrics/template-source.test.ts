import http from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cachedTemplatePath,
  detectSyntax,
  digest,
  loadTemplateSource,
  type TemplateFetchContext,
} from '../../src/metrics/templates/template-source.js';

let server: http.Server;
let base: string;
let hits = 0;
const body = 'url: http://127.0.0.1:9/api/v1/query\nmetrics: []\n';
let cacheDir: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    hits++;
    if (request.url === '/missing.tpl') {
      response.writeHead(404);
      return response.end('no');
    }
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'canary-tpl-cache-'));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(cacheDir, { recursive: true, force: true });
});

function context(extra: Partial<TemplateFetchContext> = {}): TemplateFetchContext {
  return { experimentDir: '.', cacheDir, memory: new Map(), ...extra };
}

describe('URL templates', () => {
  it('are fetched once per run, cached on disk, and Go syntax for .tpl', async () => {
    hits = 0;
    const memory = new Map();
    const url = `${base}/kserve.tpl`;
    const first = await loadTemplateSource(url, context({ memory }));
    await loadTemplateSource(url, context({ memory }));
    expect(hits).toBe(1);
    expect(first).toMatchObject({ origin: url, syntax: 'go', text: body });
    expect(await readFile(cachedTemplatePath(cacheDir, url), 'utf8')).toBe(body);
  });

  it('a sha256 pin is checked, and a pinned cached copy needs no network', async () => {
    const url = `${base}/pinned.tpl`;
    await expect(loadTemplateSource({ url, sha256: 'a'.repeat(64) }, context())).rejects.toThrow(
      /does not match its sha256 pin \(got [0-9a-f]{64}\)/,
    );
    const pin = digest(body);
    hits = 0;
    await loadTemplateSource({ url, sha256: pin }, context());
    await loadTemplateSource({ url, sha256: `sha256:${pin}` }, context());
    expect(hits).toBe(1); // the second load is content-addressed from the cache
  });

  it('offline: from the cache, or a clear error naming where to put it', async () => {
    const url = `${base}/kserve.tpl`;
    hits = 0;
    expect((await loadTemplateSource(url, context({ offline: true }))).text).toBe(body);
    expect(hits).toBe(0);
    await expect(loadTemplateSource(`${base}/never-seen.tpl`, context({ offline: true }))).rejects.toThrow(
      /is not in the cache and canary is offline/,
    );
  });

  it('a failed fetch falls back to the cached copy; without one it says why', async () => {
    const unreachable = 'http://127.0.0.1:9/kserve.tpl';
    await expect(loadTemplateSource(unreachable, context())).rejects.toThrow(/cannot fetch template/);
    const cached = cachedTemplatePath(cacheDir, unreachable);
    await mkdir(path.dirname(cached), { recursive: true });
    await writeFile(cached, 'from the cache');
    expect((await loadTemplateSource(unreachable, context())).text).toBe('from the cache');
    await expect(loadTemplateSource(`${base}/missing.tpl`, context())).rejects.toThrow(/HTTP 404/);
  });

  it('plain http is refused except on loopback', async () => {
    await expect(loadTemplateSource('http://example.com/x.tpl', context())).rejects.toThrow(/must use https/);
  });
});

describe('template syntax', () => {
  it('by extension, or a first-line marker', () => {
    expect(detectSyntax('a.tpl', 'x')).toBe('go');
    expect(detectSyntax('a.njk', 'x')).toBe('nunjucks');
    expect(detectSyntax('a.yaml', '# canary-template: nunjucks\nurl: x')).toBe('nunjucks');
    expect(detectSyntax('a.njk', '{# canary-template: go #}')).toBe('go');
  });
});
