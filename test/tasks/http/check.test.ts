import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAgainstSchema } from '../../../src/config/schema-check.js';
import { httpTask, type HttpInput } from '../../../src/tasks/http/http.js';
import type { CheckContext } from '../../../src/tasks/task-definition.js';
import { withTempDir } from '../../engine/helpers.js';

const context = (extra: Partial<CheckContext> = {}): CheckContext => ({
  experimentDir: '/nonexistent',
  env: {},
  ...extra,
});

async function problemsOf(input: HttpInput, checkContext = context()) {
  return (await httpTask.check!(input, checkContext)).map((p) => ({
    severity: p.severity,
    path: p.path.join('.'),
    message: p.message,
  }));
}

describe('http input schema', () => {
  const valid: unknown[] = [
    { url: 'http://svc:8080/predict' },
    { url: 'http://svc/', qps: 0 },
    { url: 'http://svc/', payloadStr: 'x', contentType: 'text/csv', warmup: true, allowInitialErrors: true },
    { url: 'http://svc/', payloadURL: 'https://x/p.json', warmupNumRequests: 5, warmupDuration: '2s' },
    { endpoints: { a: { url: 'http://a/', numRequests: 5, payloadFile: 'f', percentiles: [97.5] } } },
    { url: 'https://svc/', numRequests: 10, qps: 2.5, connections: 8, timeout: '250ms', warmup: 5 },
    { url: 'http://svc/', duration: '1m30s', warmup: '10s', percentiles: [50, 99.9] },
    { url: 'http://svc/', payload: 'text', contentType: 'text/csv', headers: { Authorization: 'Bearer x' } },
    { url: 'http://svc/', payload: { file: 'input.json' }, method: 'PUT' },
    { url: 'http://svc/', payload: { any: ['json'] } },
    { url: 'http://svc/', payload: [1, 2] },
    { url: 'http://svc/', errorRanges: [{ lower: 500 }, { lower: 400, upper: 404 }] },
    { endpoints: { a: { url: 'http://a/' }, b: { url: 'http://b/', payload: 'x' } }, versions: ['b', 'a'] },
    { url: 'http://svc/', headersFrom: { Authorization: { env: 'TOKEN', prefix: 'Bearer ' } } },
    { endpoints: { a: { url: 'http://a/', headersFrom: { 'X-Key': { file: 'key' } } } } },
  ];
  it.each(valid)('accepts %j', (input) => {
    expect(checkAgainstSchema(httpTask.inputSchema, input)).toEqual([]);
  });

  const invalid: unknown[] = [
    { url: 'ftp://svc/' },
    { url: 'http://svc/', numRequests: 0 },
    { url: 'http://svc/', duration: '10' },
    { url: 'http://svc/', method: 'FETCH' },
    { url: 'http://svc/', errorRanges: [{}] },
    { url: 'http://svc/', errorRanges: [{ lower: 600 }] },
    { url: 'http://svc/', percentiles: [0] },
    { url: 'http://svc/', percentiles: [101] },
    { url: 'http://svc/', warmup: -1 },
    { url: 'http://svc/', qps: -1 },
    { url: 'http://svc/', warmupNumRequests: 0 },
    { url: 'http://svc/', payloadURL: 'ftp://x' },
    { url: 'http://svc/', connections: 0 },
    { url: 'http://svc/', extra: true },
    { endpoints: {} },
    { endpoints: { a: { url: 'http://a/', unknown: 1 } } },
    { endpoints: { 'bad id': { url: 'http://a/' } } },
    { url: 'http://svc/', headers: { 'bad header': 'x' } },
    { url: 'http://svc/', headers: { 'X-Number': 1 } },
    { url: 'http://svc/', headersFrom: { Authorization: 'Bearer x' } },
    { url: 'http://svc/', headersFrom: { Authorization: { env: '' } } },
    { url: 'http://svc/', headersFrom: { Authorization: { env: 'A', file: 'b' } } },
  ];
  it.each(invalid)('rejects %j', (input) => {
    expect(checkAgainstSchema(httpTask.inputSchema, input)).not.toEqual([]);
  });

  it('produces the http metrics with the default and the extra percentiles', () => {
    const produced = httpTask.produces!({ url: 'http://svc/', percentiles: [97.5] });
    expect(produced).toContain('http/error-rate');
    expect(produced).toContain('http/latency-p50');
    expect(produced).toContain('http/latency-p97.5');
    expect(produced).not.toContain('http/latency-p98');
  });

  it("produces http-<name>/ metrics for Iter8's named endpoints and nothing for a warmup", () => {
    const endpoints = { get: { url: 'http://a/', numRequests: 5 }, post: { url: 'http://b/' } };
    const produced = httpTask.produces!({ endpoints });
    expect(produced).toContain('http-get/latency-mean');
    expect(produced).toContain('http-post/error-count');
    expect(produced.some((name) => name.startsWith('http/'))).toBe(false);
    expect(httpTask.produces!({ url: 'http://a/', warmup: true })).toEqual([]);
  });
});

describe('http check', () => {
  it('accepts a plain url', async () => {
    expect(await problemsOf({ url: 'http://svc:8080/' })).toEqual([]);
  });

  it('needs exactly one of url and endpoints', async () => {
    expect(await problemsOf({})).toMatchObject([{ severity: 'error', path: '' }]);
    const endpoints = { b: { url: 'http://b/' } };
    expect(await problemsOf({ url: 'http://a/', endpoints, versions: ['b'] })).toMatchObject([
      { severity: 'error', path: 'url', message: 'give either url or endpoints, not both' },
    ]);
    // Without versions, a url beside endpoints is Iter8's default url for its named endpoints.
    expect(await problemsOf({ url: 'http://a/', endpoints })).toEqual([]);
  });

  it('checks versions against endpoints', async () => {
    const endpoints = { a: { url: 'http://a/' }, b: { url: 'http://b/' } };
    expect(await problemsOf({ endpoints, versions: ['b', 'a'] })).toEqual([]);
    expect(await problemsOf({ endpoints, versions: ['a', 'c'] })).toEqual([
      { severity: 'error', path: 'versions.1', message: 'no endpoint with id "c"' },
      {
        severity: 'error',
        path: 'endpoints.b',
        message: 'endpoint b is not listed in versions, so no version would measure it',
      },
    ]);
    expect(await problemsOf({ url: 'http://a/', versions: ['a'] })).toMatchObject([
      { severity: 'error', path: 'versions' },
    ]);
  });

  it('warns when the number of endpoints differs from spec.versions', async () => {
    const versions = ['stable', 'candidate'];
    expect(await problemsOf({ url: 'http://a/' }, context({ versions }))).toMatchObject([
      {
        severity: 'warning',
        path: 'url',
        message: 'http measures 1 version(s) (one url) but spec.versions names 2',
      },
    ]);
    const endpoints = { a: { url: 'http://a/' }, b: { url: 'http://b/' } };
    expect(await problemsOf({ endpoints }, context({ versions }))).toEqual([]);
  });

  it('rejects URLs that do not parse or carry credentials', async () => {
    expect(await problemsOf({ url: 'http://exa mple/' })).toMatchObject([{ severity: 'error', path: 'url' }]);
    expect(await problemsOf({ endpoints: { a: { url: 'http://user:pw@a/' } } })).toMatchObject([
      { severity: 'error', path: 'endpoints.a.url', message: /credentials/ },
    ]);
  });

  it('checks load settings for coherence', async () => {
    expect(await problemsOf({ url: 'http://a/', numRequests: 10, duration: '10s' })).toMatchObject([
      { severity: 'error', path: 'duration', message: 'give numRequests or duration, not both' },
    ]);
    expect(await problemsOf({ url: 'http://a/', duration: '0' })).toMatchObject([
      { severity: 'error', path: 'duration' },
    ]);
    expect(await problemsOf({ url: 'http://a/', timeout: '0' })).toMatchObject([
      { severity: 'error', path: 'timeout' },
    ]);
    expect(await problemsOf({ url: 'http://a/', qps: 0.5, duration: '1s' })).toMatchObject([
      { severity: 'warning', path: 'qps' },
    ]);
    expect(await problemsOf({ url: 'http://a/', qps: 0.01 })).toMatchObject([
      { severity: 'warning', path: 'qps', message: '100 requests at 0.01 per second take 2h46m40s' },
    ]);
    expect(await problemsOf({ url: 'http://a/', qps: 100, duration: '1m' })).toEqual([]);
  });

  it('checks error ranges and client-owned headers', async () => {
    expect(await problemsOf({ url: 'http://a/', errorRanges: [{ lower: 500, upper: 400 }] })).toMatchObject([
      { severity: 'error', path: 'errorRanges.0', message: 'lower 500 is above upper 400' },
    ]);
    expect(
      await problemsOf({ url: 'http://a/', headers: { 'Content-Length': '3', 'X-Ok': 'y' } }),
    ).toMatchObject([{ severity: 'error', path: 'headers.Content-Length' }]);
    // A line break would end the header early and smuggle the rest in as headers of its own.
    expect(
      await problemsOf({ endpoints: { a: { url: 'http://a/', headers: { 'X-A': 'one\r\nX-B: two' } } } }),
    ).toMatchObject([
      {
        severity: 'error',
        path: 'endpoints.a.headers.X-A',
        message: 'the value of header X-A contains a line break or NUL character',
      },
    ]);
  });

  it('checks secret headers: no header twice at one level, none the client owns; literal credentials warn', async () => {
    expect(
      await problemsOf({
        url: 'http://a/',
        headers: { authorization: 'x' },
        headersFrom: { Authorization: { env: 'T' }, Connection: { env: 'C' } },
      }),
    ).toMatchObject([
      {
        severity: 'error',
        path: 'headersFrom.Connection',
        message: 'header Connection is set by the HTTP client',
      },
      {
        severity: 'error',
        path: 'headers.authorization',
        message: 'header authorization is set in both headers and headersFrom',
      },
    ]);
    expect(
      await problemsOf({ endpoints: { a: { url: 'http://a/', headers: { Authorization: 'Bearer abc' } } } }),
    ).toMatchObject([
      {
        severity: 'warning',
        path: 'endpoints.a.headers.Authorization',
        message: 'header Authorization looks like a credential written into the experiment',
      },
    ]);
    // Across levels an endpoint's header replaces the task's: not a conflict.
    expect(
      await problemsOf({
        endpoints: { a: { url: 'http://a/', headers: { 'X-Key': 'k' } } },
        headersFrom: { 'X-Key': { env: 'K' } },
      }),
    ).toEqual([]);
  });

  it('checks that payload files exist, relative to the experiment', async () => {
    await withTempDir(async (dir) => {
      await writeFile(path.join(dir, 'input.json'), '{}');
      const checkContext = context({ experimentDir: dir });
      expect(await problemsOf({ url: 'http://a/', payload: { file: 'input.json' } }, checkContext)).toEqual(
        [],
      );
      expect(
        await problemsOf(
          { endpoints: { a: { url: 'http://a/', payload: { file: 'missing.json' } } } },
          checkContext,
        ),
      ).toEqual([
        {
          severity: 'error',
          path: 'endpoints.a.payload.file',
          message: `payload file ${path.join(dir, 'missing.json')} does not exist`,
        },
      ]);
      // A JSON object with more keys than `file` is a body, not a file reference.
      expect(
        await problemsOf({ url: 'http://a/', payload: { file: 'missing.json', more: 1 } }, checkContext),
      ).toEqual([]);
    });
  });
});

describe('http preview', () => {
  it('shows each version with header names only and the resolved payload file', async () => {
    const preview = await httpTask.preview!(
      {
        endpoints: {
          a: { url: 'http://a/x', headers: { Authorization: 'Bearer secret' } },
          b: { url: 'http://b/' },
        },
        versions: ['b', 'a'],
        payload: { file: 'in.json' },
        qps: 5,
        duration: '30s',
      },
      context({ experimentDir: '/exp' }),
    );
    expect(preview).toEqual([
      {
        version: 0,
        endpoint: 'b',
        request: 'POST http://b/',
        payload: 'file /exp/in.json',
        load: '30s at 5 qps over 4 connection(s), timeout 5s',
      },
      {
        version: 1,
        endpoint: 'a',
        request: 'POST http://a/x',
        headers: ['authorization'],
        payload: 'file /exp/in.json',
        load: '30s at 5 qps over 4 connection(s), timeout 5s',
      },
    ]);
    expect(JSON.stringify(preview)).not.toContain('secret');
  });
});
