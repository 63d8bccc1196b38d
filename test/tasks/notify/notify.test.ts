import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskError } from '../../../src/errors.js';
import { Redactor } from '../../../src/metrics/backend/secrets.js';
import type { Report } from '../../../src/report/report-schema.js';
import type { CompactReport } from '../../../src/tasks/notify/compact-report.js';
import { notifyTask } from '../../../src/tasks/notify/notify.js';
import type { NotifyInput } from '../../../src/tasks/notify/notify-input.js';
import { closedPort, startServer, type Handler } from '../../metrics/backend/loopback-server.js';
import { makeContext, type TestContext } from './notify-context.js';
import { closedAfterEach } from '../../support/closed-after-each.js';

const token = 'ghp_SuperSecretToken123';
const hookSecret = 'T0000/B0000/XXXXsecretXXXX';
const env = { HOOK_TOKEN: token, SLACK_URL: '', GITHUB_TOKEN: token };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-notify-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const receiver = closedAfterEach((handler: Handler = (_, response) => void response.end('ok')) =>
  startServer(handler),
);

/** Responds with the given statuses in turn, then 200. */
function statuses(...codes: number[]): Handler {
  let call = 0;
  return (_, response) => {
    const status = codes[call++] ?? 200;
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(status === 200 ? 'ok' : `failure ${status}`);
  };
}

async function run(input: NotifyInput, context: TestContext = makeContext({ env })) {
  return notifyTask.run(input, context);
}

/** Nothing recorded or printed may hold a secret, in any encoding the redactor knows. */
function expectNoSecrets(...texts: unknown[]): void {
  const redactor = new Redactor().addAll([token, hookSecret]);
  for (const text of texts) expect(redactor.reveals(JSON.stringify(text) ?? '')).toBe(false);
}

describe('notify: webhook', () => {
  it('posts the compact report as JSON by default', async () => {
    const server = await receiver();
    const context = makeContext({ env });
    const result = await run({ webhook: { url: `${server.url}/hook` } }, context);
    expect(result).toEqual({ output: `webhook ${server.url}: sent (HTTP 200)` });
    expect(context.logs).toEqual([`webhook ${server.url}: sent (HTTP 200)`]);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/hook' });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toMatch(/^canary\/\d/);
    const body = JSON.parse(request!.body) as CompactReport;
    expect(body).toEqual({
      experiment: 'kserve-test/sklearn-iris',
      loop: 3,
      verdict: 'fail',
      slos: { pass: 1, fail: 1, nodata: 1 },
      versions: [
        {
          name: 'baseline',
          slos: [
            expect.objectContaining({
              metric: 'kserve-prometheus/latency-mean',
              op: '<=',
              limit: 25,
              value: 21.3,
              status: 'pass',
              gate: 'pass',
            }),
          ],
        },
        {
          name: 'candidate',
          slos: [
            expect.objectContaining({
              metric: 'kserve-prometheus/latency-mean',
              op: '<=',
              limit: 25,
              value: 31,
              status: 'fail',
              gate: 'fail',
              explanation: [
                '✘ candidate: kserve-prometheus/latency-mean <= 25: fail',
                '    value 31, allowed <= 25',
              ],
            }),
            expect.objectContaining({
              metric: 'kserve-prometheus/latency-p90',
              op: '<=',
              limit: 40,
              value: null,
              status: 'nodata',
              gate: 'inconclusive',
              reason: 'query returned no series',
            }),
          ],
        },
      ],
    });
  });

  it('renders a payload template with report, loop and experiment, and sends headers', async () => {
    const server = await receiver();
    await run({
      webhook: {
        url: server.url,
        method: 'PUT',
        headers: { 'X-Team': 'ml' },
        headersFrom: { Authorization: { env: 'HOOK_TOKEN', prefix: 'Bearer ' } },
        payload:
          '{"text": {{ ("canary " + experiment.name + " loop " + loop + ": " + report.verdict) | dump }},' +
          ' "failed": [{% for v in report.versions %}{% for s in v.slos %}{% if s.status == "fail" %}{{ v.name | dump }}{% endif %}{% endfor %}{% endfor %}],' +
          ' "queries": {{ report.versions[1].queries | dump }}}',
      },
    });
    const [request] = server.requests;
    expect(request!.method).toBe('PUT');
    expect(request!.headers.authorization).toBe(`Bearer ${token}`);
    expect(request!.headers['x-team']).toBe('ml');
    expect(JSON.parse(request!.body)).toEqual({
      text: 'canary sklearn-iris loop 3: fail',
      failed: ['candidate'],
      queries: { 'kserve-prometheus/latency-mean': 'mean{v="1"}' },
    });
  });

  it('reads the payload template from a file relative to the experiment', async () => {
    const server = await receiver();
    await writeFile(path.join(dir, 'payload.json.njk'), '{"verdict": {{ report.verdict | dump }}}\n');
    await run(
      { webhook: { url: server.url, payloadFile: 'payload.json.njk' } },
      makeContext({ env, experimentDir: dir }),
    );
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ verdict: 'fail' });
  });

  it('keeps names with quotes, newlines and <script> valid JSON', async () => {
    const hostile = 'v"1\n</script><script>alert("x")</script>\\';
    const server = await receiver();
    const context = makeContext({ env, versions: ['base', hostile] });
    await run({ webhook: { url: server.url } }, context);
    await run(
      {
        webhook: {
          url: server.url,
          payload:
            '{"names": [{% for v in report.versions %}{{ v.name | dump }}{{ "," if not loop.last }}{% endfor %}]}',
        },
      },
      context,
    );
    expect((JSON.parse(server.requests[0]!.body) as CompactReport).versions[1]!.name).toBe(hostile);
    expect(JSON.parse(server.requests[1]!.body)).toEqual({ names: ['base', hostile] });
  });

  it('refuses a payload that is not JSON, unless a content-type says it is something else', async () => {
    const server = await receiver();
    const context = makeContext({ env, versions: ['base', 'has "quote"'] });
    const spliced = '{"version": "{{ report.versions[1].name }}"}';
    const result = await run({ webhook: { url: server.url, payload: spliced } }, context);
    expect(result?.output).toMatch(
      /^webhook http:\/\/127\.0\.0\.1:\d+: not sent: payload is not valid JSON .*\| dump/,
    );
    expect(server.requests).toHaveLength(0);
    await run(
      {
        webhook: {
          url: server.url,
          headers: { 'Content-Type': 'text/plain' },
          payload: 'verdict {{ report.verdict }}',
        },
      },
      context,
    );
    expect(server.requests[0]).toMatchObject({ body: 'verdict fail' });
    expect(server.requests[0]!.headers['content-type']).toBe('text/plain');
  });

  it('reports a template error as a failed notification', async () => {
    const result = await run({ webhook: { url: 'http://127.0.0.1:9', payload: '{{ report.nope.deeper }}' } });
    expect(result?.output).toMatch(/not sent: payload template: .*\(softFailure: the loop goes on\)$/);
  });
});

describe('notify: retries and failures', () => {
  it('retries 5xx and succeeds', async () => {
    const server = await receiver(statuses(503, 502));
    const context = makeContext({ env });
    const result = await run({ webhook: { url: server.url } }, context);
    expect(server.requests).toHaveLength(3);
    expect(result?.output).toBe(`webhook ${server.url}: sent (HTTP 200 after 3 attempts)`);
    expect(context.logs[0]).toBe(`webhook ${server.url}: attempt 1 failed (HTTP 503: failure 503), retrying`);
  });

  it('does not retry a 4xx', async () => {
    const server = await receiver(statuses(404));
    const result = await run({ webhook: { url: server.url } });
    expect(server.requests).toHaveLength(1);
    expect(result?.output).toBe(
      `webhook ${server.url}: not sent: HTTP 404: failure 404 (softFailure: the loop goes on)`,
    );
  });

  it('does not wait an hour for a receiver that asks for one with Retry-After', async () => {
    const server = await receiver((_, response) => {
      response.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '3600' });
      response.end('rate limited');
    });
    const result = await run({ webhook: { url: server.url }, retries: 3 });
    expect(server.requests).toHaveLength(1);
    expect(result?.output).toBe(
      `webhook ${server.url}: not sent: HTTP 429: rate limited (the server asked to retry after 3600 s, longer than canary waits (30 s); not retried) (softFailure: the loop goes on)`,
    );
  });

  it('retries refused connections, then records a soft failure', async () => {
    const port = await closedPort();
    const context = makeContext({ env });
    const result = await run({ webhook: { url: `http://127.0.0.1:${port}` }, retries: 1 }, context);
    expect(result?.output).toMatch(
      /not sent: connection refused after 2 attempts: .*ECONNREFUSED.*\(softFailure: the loop goes on\)$/,
    );
    expect(context.logs).toHaveLength(2);
  });

  it('fails the task with kind error when softFailure is false', async () => {
    const server = await receiver(statuses(500, 500, 500));
    const error = await run({ webhook: { url: server.url }, softFailure: false, retries: 2 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).kind).toBe('error');
    expect((error as TaskError).message).toBe(
      `webhook ${server.url}: not sent: HTTP 500 after 3 attempts: failure 500`,
    );
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const server = await receiver(() => undefined);
    const result = await run({ webhook: { url: server.url }, timeout: '200ms', retries: 0 });
    expect(result?.output).toContain('not sent: timeout: no response within 200ms');
  });

  it('stops when the loop is interrupted', async () => {
    const server = await receiver(() => undefined);
    const abort = new AbortController();
    const pending = run({ webhook: { url: server.url } }, makeContext({ env, signal: abort.signal }));
    setTimeout(() => abort.abort(new Error('interrupted')), 100);
    await expect(pending).rejects.toThrow('interrupted');
  });
});

describe('notify: secrets', () => {
  it('keeps header secrets echoed by the receiver out of messages, logs and errors', async () => {
    // A receiver that echoes the request headers in its error page, as some proxies do.
    const echo: Handler = (request, response) => {
      response.writeHead(500);
      response.end(
        `bad auth: ${String(request.headers.authorization)} ${Buffer.from(token).toString('base64')}`,
      );
    };
    const server = await receiver(echo);
    const context = makeContext({ env });
    const soft = await run(
      {
        webhook: {
          url: server.url,
          headersFrom: { Authorization: { env: 'HOOK_TOKEN', prefix: 'Bearer ' } },
        },
        retries: 1,
      },
      context,
    );
    expect(soft?.output).toContain('bad auth: Bearer ***');
    const hard = await run(
      {
        webhook: { url: server.url, headersFrom: { 'X-Api-Key': { env: 'HOOK_TOKEN' } } },
        softFailure: false,
        retries: 0,
      },
      context,
    ).catch((e: unknown) => (e as Error).message);
    expect(hard).toContain('bad auth');
    expectNoSecrets(soft, hard, context.logs);
  });

  it('redacts an echoed token before cutting the error body, so no half of it is left', async () => {
    // The token starts 12 characters before the 200-character excerpt ends.
    const server = await receiver((request, response) => {
      response.writeHead(401);
      response.end(`${'p'.repeat(188)}${String(request.headers.authorization).slice('Bearer '.length)}`);
    });
    const result = await run({
      webhook: { url: server.url, headersFrom: { Authorization: { env: 'HOOK_TOKEN', prefix: 'Bearer ' } } },
      retries: 0,
    });
    expect(result?.output).toContain(`HTTP 401: ${'p'.repeat(188)}***`);
    expect(result?.output).not.toContain(token.slice(0, 8));
  });

  it('treats a URL from a secret as a secret: the target is not named by it', async () => {
    const server = await receiver(statuses(500, 500, 500));
    const secretUrl = `${server.url}/services/${hookSecret}`;
    const context = makeContext({ env: { ...env, HOOK_URL: secretUrl } });
    const result = await run({ webhook: { urlFrom: { env: 'HOOK_URL' } }, retries: 0 }, context);
    expect(result?.output).toBe('webhook: not sent: HTTP 500: failure 500 (softFailure: the loop goes on)');
    expect(server.requests[0]!.url).toBe(`/services/${hookSecret}`);
    expectNoSecrets(result, context.logs);
  });

  it('names a missing secret by its variable, never by value', async () => {
    const result = await run({ slack: { url: { env: 'NOT_SET' } } });
    expect(result?.output).toBe(
      'slack: not sent: slack url: environment variable NOT_SET is not set (softFailure: the loop goes on)',
    );
    const github = await run(
      { github: { repository: 'o/r', token: { file: 'missing-token' } } },
      makeContext({ env, experimentDir: dir }),
    );
    expect(github?.output).toMatch(
      /^github dispatch to o\/r: not sent: bearer token: cannot read secret file .*missing-token \(ENOENT\)/,
    );
  });

  it('refuses a secret URL that is not http(s) without showing it', async () => {
    const context = makeContext({ env: { HOOK_URL: `ftp://${hookSecret}` } });
    const result = await run({ webhook: { urlFrom: { env: 'HOOK_URL' } } }, context);
    expect(result?.output).toBe(
      'webhook: not sent: the webhook url from urlFrom must be http:// or https:// (softFailure: the loop goes on)',
    );
    expectNoSecrets(result);
  });
});

describe('notify: slack', () => {
  it('posts a mrkdwn message built as JSON to the secret URL', async () => {
    const server = await receiver();
    const context = makeContext({
      env: { SLACK_URL: `${server.url}/services/${hookSecret}` },
      versions: ['base', '<b>&co</b> "v2"\n'],
    });
    const result = await run({ slack: { url: { env: 'SLACK_URL' } } }, context);
    expect(result?.output).toBe('slack: sent (HTTP 200)');
    const [request] = server.requests;
    expect(request!.url).toBe(`/services/${hookSecret}`);
    expect(request!.headers['content-type']).toBe('application/json; charset=utf-8');
    const message = JSON.parse(request!.body) as { text: string; blocks: Array<{ text: { text: string } }> };
    expect(message.text).toBe('canary kserve-test/sklearn-iris loop 3: fail');
    const texts = message.blocks.map((b) => b.text.text);
    expect(texts[0]).toBe(
      ':x: *canary* `kserve-test/sklearn-iris` loop 3: *fail*\nSLOs: 1 met, 1 violated, 1 without data',
    );
    expect(texts[2]).toContain(':x: `&lt;b&gt;&amp;co&lt;/b&gt; "v2" ` 1 of 2 SLOs violated');
    expectNoSecrets(result, context.logs);
  });

  it('keeps the webhook URL out of the failure message', async () => {
    const server = await receiver((_, response) => {
      response.writeHead(404);
      response.end('no_service');
    });
    const context = makeContext({ env: { SLACK_URL: `${server.url}/services/${hookSecret}` } });
    const result = await run({ slack: { url: { env: 'SLACK_URL' } } }, context);
    expect(result?.output).toBe('slack: not sent: HTTP 404: no_service (softFailure: the loop goes on)');
  });
});

describe('notify: github', () => {
  it('sends a repository_dispatch with the compact report as client_payload', async () => {
    const server = await receiver((_, response) => {
      response.writeHead(204);
      response.end();
    });
    const context = makeContext({ env });
    const result = await run(
      {
        github: {
          repository: 'acme/models',
          token: { env: 'GITHUB_TOKEN' },
          eventType: 'canary-result',
          apiUrl: `${server.url}/api/v3/`,
        },
      },
      context,
    );
    expect(result?.output).toBe('github dispatch to acme/models: sent (HTTP 204)');
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/api/v3/repos/acme/models/dispatches' });
    expect(request!.headers).toMatchObject({
      authorization: `Bearer ${token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'content-type': 'application/json',
    });
    expect(request!.headers['user-agent']).toMatch(/^canary\//);
    const body = JSON.parse(request!.body) as { event_type: string; client_payload: CompactReport };
    expect(body.event_type).toBe('canary-result');
    expect(body.client_payload).toMatchObject({
      experiment: 'kserve-test/sklearn-iris',
      loop: 3,
      verdict: 'fail',
    });
    // GitHub rejects a client_payload with more than 10 top-level properties.
    expect(Object.keys(body.client_payload).length).toBeLessThanOrEqual(10);
    expectNoSecrets(result, context.logs);
  });

  it('defaults the event type to canary', async () => {
    const server = await receiver();
    await run({ github: { repository: 'a/b', token: { env: 'GITHUB_TOKEN' }, apiUrl: server.url } });
    expect((JSON.parse(server.requests[0]!.body) as { event_type: string }).event_type).toBe('canary');
  });

  it('records a rejected token without the token', async () => {
    const server = await receiver((request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Bad credentials', got: request.headers.authorization }));
    });
    const context = makeContext({ env });
    const result = await run(
      { github: { repository: 'a/b', token: { env: 'GITHUB_TOKEN' }, apiUrl: server.url } },
      context,
    );
    expect(result?.output).toContain('not sent: HTTP 401: {"message":"Bad credentials","got":"Bearer ***"}');
    expectNoSecrets(result, context.logs);
  });
});

describe('notify: the report it sends', () => {
  it('is the loop so far, judged on SLOs', async () => {
    const server = await receiver();
    await run({ webhook: { url: server.url, payload: '{{ report | dump }}' } });
    const report = JSON.parse(server.requests[0]!.body) as Report;
    expect(report).toMatchObject({ format: 'canary.report/v1', loops: 3, verdict: 'fail', completed: false });
    expect(report.latestLoop?.status).toBe('running');
    expect(report.versions[1]!.metricErrors).toEqual({
      'kserve-prometheus/latency-p90': 'query returned no series',
    });
  });
});
