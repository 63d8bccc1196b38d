import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryFixtureRecorder, relativeTemplate } from '../../src/metrics/fixtures/fixture-recorder.js';
import { serializeFixture, type ProviderFixture } from '../../src/metrics/fixtures/fixture-format.js';
import { RequestMatcher, describeRequest } from '../../src/metrics/fixtures/match-request.js';
import { runOneLoop } from '../support/run-one-loop.js';
import { startServer, type LoopbackServer } from './backend/loopback-server.js';

/**
 * Record every kind of answer a backend gives (values, errors, non-JSON, retried failures, POST
 * bodies), then replay: each metric ends exactly as it did live.
 */

const token = 'echoed-token-8c1f0b6e2a';
const tenant = 'tenant-secret-4471';
let server: LoopbackServer;
const calls = new Map<string, number>();

function vector(value: string) {
  return JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] },
  });
}

beforeAll(async () => {
  server = await startServer((request, response) => {
    const url = new URL(request.url, 'http://x');
    const query =
      url.searchParams.get('query') ?? new URLSearchParams(request.body).get('query') ?? request.body;
    const send = (status: number, body: string, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type, 'set-cookie': `session=${token}` });
      response.end(body);
    };
    calls.set(query, (calls.get(query) ?? 0) + 1);
    if (query.startsWith('ok')) return send(200, vector(query.endsWith('v1') ? '2.5' : '4'));
    if (query === 'echo')
      // A backend that echoes credentials into its answer: the fixture must still not hold them.
      return send(
        200,
        JSON.stringify({
          auth: request.headers.authorization,
          tenant: request.headers['x-scope-orgid'],
          data: { result: [{ value: [1, '1'] }] },
        }),
      );
    if (query === 'bad')
      return send(
        400,
        JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 3' }),
      );
    if (query === 'html') return send(200, '<html>proxy login</html>', 'text/html');
    if (query === 'down') return send(503, 'overloaded', 'text/plain');
    if (query === 'flaky')
      return calls.get(query)! % 2 === 1 ? send(500, 'try again') : send(200, vector('7'));
    if (request.method === 'POST') return send(200, vector(request.body.length.toString()));
    return send(404, 'no');
  });
});

afterAll(async () => {
  await server.close();
});

const cases = ['ok', 'echo', 'bad', 'html', 'down', 'flaky'];

const template = `# canary-template: nunjucks
url: {{ url | dump }}
method: POST
metrics:
{%- for q in cases %}
- name: {{ q }}
  params:
  - name: query
    value: {{ (q + suffix) | dump }}
  jqExpression: .data.result[0].value[1] | tonumber
{%- endfor %}
- name: posted
  body: {{ ('{"window": "' + (elapsedTimeSeconds | window) + '"}') | dump }}
  jqExpression: .data.result[0].value[1] | tonumber
`;

function experimentYaml(templates: string, url: string): string {
  return `apiVersion: canary/v1
kind: Experiment
metadata: {name: rr}
spec:
  tasks:
    - task: custommetrics
      with:
        templates: ${templates}
        values: {url: "${url}", cases: [${cases.join(', ')}], suffix: ""}
        versionValues: [{suffix: ""}, {suffix: "v1"}]
        retries: 1
        auth: {bearer: {env: PROM_TOKEN}}
        headersFrom: {X-Scope-OrgID: {env: TENANT}}
`;
}

function runOnce(
  dir: string,
  file: string,
  env: Record<string, string>,
  recorder?: DirectoryFixtureRecorder,
) {
  return runOneLoop(dir, {
    file,
    env,
    startedSecondsAgo: 90,
    ...(recorder ? { extra: { fixtureRecorder: recorder } } : {}),
  });
}

describe('recording then replaying a loop through a loopback backend', () => {
  it('every metric, value or reason, is the same; no credential is written', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'canary-rr-'));
    try {
      await writeFile(path.join(dir, 'faults.njk'), template);
      await writeFile(
        path.join(dir, 'live.yaml'),
        experimentYaml('{faults: faults.njk}', `${server.url}/api/v1/query`),
      );
      const env = { PROM_TOKEN: token, TENANT: tenant };
      const live = await runOnce(
        dir,
        'live.yaml',
        env,
        new DirectoryFixtureRecorder(path.join(dir, 'recorded')),
      );
      expect(live.tasks[0]!.status).toBe('completed');
      expect(live.metrics[0]!['faults/ok']!.value).toBe(4);
      expect(live.metrics[1]!['faults/ok']!.value).toBe(2.5);
      expect(live.metrics[0]!['faults/down']!.reason).toMatch(/^HTTP 503 after 2 attempts: overloaded/);

      const text = await readFile(path.join(dir, 'recorded/faults.fixture.json'), 'utf8');
      for (const secret of [token, tenant, Buffer.from(token).toString('base64')])
        expect(text).not.toContain(secret);
      const fixture = JSON.parse(text) as ProviderFixture;
      expect(fixture.template).toBe('../faults.njk');
      const echo = fixture.exchanges.find((e) => e.request.params?.[0]?.value === 'echo')!;
      expect(echo.response.json).toMatchObject({ auth: 'Bearer ***', tenant: '***' });
      const html = fixture.exchanges.find((e) => e.request.params?.[0]?.value === 'html')!;
      expect(html.response).toEqual({
        status: 200,
        contentType: 'text/html',
        text: '<html>proxy login</html>',
      });
      const posted = fixture.exchanges.find((e) => e.request.body !== undefined)!;
      expect(posted.request).toMatchObject({ method: 'POST', url: `${server.url}/api/v1/query` });
      expect(posted.request.body).toMatch(/^\{"window": "9\ds"\}$/);
      expect(posted.response.json).toMatchObject({ status: 'success' });
      // The request that failed, then succeeded: the answer the metric was read from.
      const flaky = fixture.exchanges.find((e) => e.request.params?.[0]?.value === 'flaky')!;
      expect(flaky.response.status).toBe(200);

      // Replay: another URL (the host is not part of the match), no token, and the server is not asked.
      await writeFile(
        path.join(dir, 'replay.yaml'),
        experimentYaml(
          '{faults: "fixture:recorded/faults.fixture.json"}',
          'http://metrics.invalid:9090/api/v1/query',
        ),
      );
      const asked = server.requests.length;
      const replayed = await runOnce(dir, 'replay.yaml', {});
      expect(server.requests.length).toBe(asked);
      expect(replayed.tasks[0]!.status).toBe('completed');
      // Identical, but for the URL shown as the query of the non-PromQL metric.
      const expected = JSON.stringify(live.metrics).replaceAll(server.url, 'http://metrics.invalid:9090');
      expect(replayed.metrics).toEqual(JSON.parse(expected));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('request matching', () => {
  const exchange = (url: string, params: Array<[string, string]>, value: string) => ({
    request: { method: 'GET' as const, url, params: params.map(([name, v]) => ({ name, value: v })) },
    response: { status: 200, json: value },
  });
  const matcher = new RequestMatcher([
    exchange(
      'http://a:9090/api/v1/query',
      [
        ['query', 'up'],
        ['time', '5'],
      ],
      'a',
    ),
    exchange(
      'http://b:9090/api/v1/query',
      [
        ['query', 'up'],
        ['time', '5'],
      ],
      'b',
    ),
    exchange('http://a:9090/api/v1/query', [['query', 'rate(x[1800s])']], 'rate'),
  ]);

  it('ignores parameter order and the host, and prefers the same origin', () => {
    const find = (url: string, params: Array<[string, string]>) =>
      matcher.find({ method: 'GET', url, params: params.map(([name, value]) => ({ name, value })) })?.response
        .json;
    expect(
      find('http://b:9090/api/v1/query', [
        ['time', '5'],
        ['query', 'up'],
      ]),
    ).toBe('b');
    expect(
      find('http://a:9090/api/v1/query', [
        ['query', 'up'],
        ['time', '5'],
      ]),
    ).toBe('a');
    expect(
      find('https://elsewhere/api/v1/query', [
        ['query', 'up'],
        ['time', '5'],
      ]),
    ).toBe('a');
    expect(find('http://a:9090/api/v1/query?time=5', [['query', 'up']])).toBe('a');
    expect(find('http://a:9090/api/v1/query', [['query', 'up']])).toBeUndefined();
    expect(
      matcher.find({
        method: 'POST',
        url: 'http://a:9090/api/v1/query',
        params: [
          { name: 'query', value: 'up' },
          { name: 'time', value: '5' },
        ],
      }),
    ).toBeUndefined();
  });

  it('explains a miss with the closest recorded request and where it differs', () => {
    const request = {
      method: 'GET' as const,
      url: 'http://a:9090/api/v1/query',
      params: [{ name: 'query', value: 'rate(x[61s])' }],
    };
    expect(describeRequest(request)).toBe('GET /api/v1/query query="rate(x[61s])"');
    expect(matcher.explainMiss(request)).toBe(
      'no recorded response for GET /api/v1/query query="rate(x[61s])"; closest recorded: GET /api/v1/query query="rate(x[1800s])" (differs at character 33: "…/v1/query query=\\"rate(x[61s])\\"" here, "…/v1/query query=\\"rate(x[1800s])\\"" recorded)',
    );
    expect(new RequestMatcher([]).explainMiss(request)).toMatch(/; the fixture holds no requests$/);
  });
});

describe('the fixture file', () => {
  it('serializes to JSON that parses back to the same fixture, small values on one line', () => {
    const fixture: ProviderFixture = {
      format: 'canary.fixture/v1',
      provider: 'p',
      template: 'builtin:prometheus',
      recorded: '2026-11-26T10:00:00.000Z',
      loop: 1,
      elapsedTimeSeconds: [60],
      exchanges: [
        {
          request: { method: 'GET', url: 'http://a/api/v1/query', params: [{ name: 'query', value: 'up' }] },
          response: {
            status: 200,
            json: { data: { result: [{ metric: { job: 'x' }, value: [1, '2'] }] }, note: 'ä\n"' },
          },
        },
      ],
    };
    const text = serializeFixture(fixture);
    expect(JSON.parse(text)).toEqual(fixture);
    expect(text).toContain('"elapsedTimeSeconds": [60],');
    expect(text).toContain('"result": [{"metric": {"job": "x"}, "value": [1, "2"]}]');
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('names file templates relative to the fixture, and leaves builtin and URL references alone', () => {
    expect(relativeTemplate('templates/p.tpl', '/x/exp', '/x/exp/fixtures')).toBe('../templates/p.tpl');
    expect(relativeTemplate({ file: 'p.njk' }, '/x/exp', '/x/exp')).toEqual({ file: 'p.njk' });
    expect(relativeTemplate('builtin:prometheus', '/x', '/y')).toBe('builtin:prometheus');
    expect(relativeTemplate('https://e.com/t.tpl', '/x', '/y')).toBe('https://e.com/t.tpl');
  });
});
