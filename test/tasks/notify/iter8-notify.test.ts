import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderGoTemplate } from '../../../src/metrics/go-template/index.js';
import { githubTask, slackTask } from '../../../src/tasks/notify/iter8-notify-tasks.js';
import { notifyTask } from '../../../src/tasks/notify/notify.js';
import { defaultPayloadPath } from '../../../src/tasks/notify/prepare-iter8.js';
import { iter8ReportData } from '../../../src/tasks/notify/iter8-report.js';
import { buildLoopReport } from '../../../src/report/build-loop-report.js';
import { startServer, type Handler } from '../../metrics/backend/loopback-server.js';
import { makeContext } from './notify-context.js';
import { closedAfterEach } from '../../support/closed-after-each.js';

// Iter8 v0.14.10's notify inputs and its chart's slack and github tasks, sent to real loopback receivers.

const receiver = closedAfterEach((handler: Handler = (_, response) => void response.end('ok')) =>
  startServer(handler),
);

describe("the chart's default payloads", () => {
  it('are the chart files of Iter8 v0.14.10, byte for byte', async () => {
    // sha256 of charts/iter8/templates/_payload-{slack,github}.tpl at tag v0.14.10.
    const sha = async (name: 'slack' | 'github') =>
      createHash('sha256')
        .update(await readFile(defaultPayloadPath(name)))
        .digest('hex');
    expect(await sha('slack')).toBe('6da61224fa77858ad864fe3978723feead2d1e4e662208960179549a65cdac96');
    expect(await sha('github')).toBe('780cbd34caca6ea14d70c31b55234203d2e2f4146b6fe007dd4d20f6862383c1');
  });
});

describe('slack task (Iter8 chart inputs)', () => {
  it("POSTs the chart's payload rendered on {Report}, the URL from a secret", async () => {
    const server = await receiver();
    const context = makeContext({ env: { SLACK_HOOK: `${server.url}/services/T0/B0/secret` } });
    const result = await slackTask.run({ urlFrom: { env: 'SLACK_HOOK' } }, context);
    expect(result?.output).toContain('sent (HTTP 200)');
    expect(result?.output).not.toContain('secret');
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/services/T0/B0/secret' });
    const text = JSON.parse(request!.body).text as string;
    expect(text.startsWith('Your Iter8 report is ready: {\n')).toBe(true);
    const report = JSON.parse(text.slice('Your Iter8 report is ready: '.length));
    expect(Object.keys(report)).toEqual([
      'timeStamp',
      'completed',
      'noTaskFailures',
      'numTasks',
      'numCompletedTasks',
      'numLoops',
      'experiment',
    ]);
    expect(report.numLoops).toBe(3);
    expect(report.experiment.result.insights.versionNames.map((v: { version: string }) => v.version)).toEqual(
      ['baseline', 'candidate'],
    );
    expect(report.experiment.result.insights.nonHistMetricValues[0]).toEqual({
      'kserve-prometheus/latency-mean': [21.3],
    });
  });

  it('sends the body the chart template renders, byte for byte (but the time stamp)', async () => {
    const server = await receiver();
    const context = makeContext();
    await slackTask.run({ url: `${server.url}/hook` }, context);
    const body = server.requests[0]!.body;
    // The chart file rendered on the value Iter8 gave it, built from the same loop.
    const chart = await readFile(defaultPayloadPath('slack'), 'utf8');
    const data = iter8ReportData(buildLoopReport(context), context.experimentStart);
    const stamp = (text: string) => text.replace(/timeStamp\\": \\"[^\\]*\\"/, 'timeStamp\\": \\"T\\"');
    expect(stamp(body)).toBe(stamp(renderGoTemplate(chart, 'slack', data)));
    expect(stamp(body)).toContain('timeStamp\\": \\"T\\"');
  });
});

describe('github task (Iter8 chart inputs)', () => {
  it('dispatches the chart payload with "token X" from tokenFrom, the token never shown', async () => {
    const server = await receiver((_, response) => {
      response.statusCode = 204;
      response.end();
    });
    const context = makeContext({ env: { GH: 'ghp_secret123456' } });
    const result = await githubTask.run(
      { owner: 'acme', repo: 'shop', tokenFrom: { env: 'GH' }, apiUrl: server.url },
      context,
    );
    expect(result?.output).toContain('sent (HTTP 204)');
    expect(JSON.stringify(context.logs) + (result?.output ?? '')).not.toContain('ghp_secret123456');
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/repos/acme/shop/dispatches' });
    expect(request!.headers['authorization']).toBe('token ghp_secret123456');
    expect(request!.headers['accept']).toBe('application/vnd.github+json');
    const payload = JSON.parse(request!.body);
    expect(payload.event_type).toBe('iter8');
    expect(payload.client_payload.numLoops).toBe(3);
    expect(
      request!.body.startsWith('{\n  "event_type": "iter8",\n  "client_payload": {\n  "timeStamp"'),
    ).toBe(true);
  });
});

describe("notify with Iter8's inputs", () => {
  it('GETs the url with queryParams and headers when there is no payload template', async () => {
    const server = await receiver();
    await notifyTask.run(
      { url: `${server.url}/ping`, queryParams: { loop: 'x y' }, headers: { 'X-Kind': 'iter8' } },
      makeContext(),
    );
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/ping?loop=x+y', body: '' });
    expect(server.requests[0]!.headers['x-kind']).toBe('iter8');
  });

  it('POSTs payloadTemplateURL, fetched from a loopback server and rendered by the Go-template engine', async () => {
    const templates = await receiver(
      (_, response) =>
        void response.end(
          '{"loops": {{ .Report.NumLoops }}, "versions": {{ .Report.Experiment.Result.Insights.NumVersions }}}',
        ),
    );
    const target = await receiver();
    const context = makeContext({ experimentDir: process.cwd() });
    const env = { CANARY_CACHE_DIR: `${process.cwd()}/node_modules/.cache/canary-test-${process.pid}` };
    await notifyTask.run(
      { url: `${target.url}/hook`, payloadTemplateURL: `${templates.url}/payload.tpl`, softFailure: false },
      { ...context, env },
    );
    expect(target.requests[0]).toMatchObject({ method: 'POST', body: '{"loops": 3, "versions": 2}' });
  });

  it('softFailure: false fails the task when the receiver refuses', async () => {
    const server = await receiver((_, response) => {
      response.statusCode = 400;
      response.end('no');
    });
    await expect(
      notifyTask.run({ url: `${server.url}/x`, softFailure: false, retries: 0 }, makeContext()),
    ).rejects.toThrow(/not sent/);
  });
});
