import { loadExperiment } from '../../../src/config/load-experiment.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTemplateEnvironment, renderScalar } from '../../../src/config/expressions.js';
import { runLoop } from '../../../src/engine/run-loop.js';
import { Redactor } from '../../../src/metrics/backend/secrets.js';
import { createRegistry } from '../../../src/tasks/registry.js';
import type { TaskDefinition } from '../../../src/tasks/task-definition.js';
import { notifyTask } from '../../../src/tasks/notify/notify.js';
import type { CompactReport } from '../../../src/tasks/notify/compact-report.js';
import { defineTestTask, makePlan } from '../../engine/helpers.js';
import { startServer, type Handler } from '../../metrics/backend/loopback-server.js';
import { closedAfterEach } from '../../support/closed-after-each.js';

const token = 'xoxb-very-secret-token-42';
const receiver = closedAfterEach((handler: Handler) => startServer(handler));

/** metrics -> assess -> notify, as an experiment would run them. */
async function runNotifyLoop(notifyWith: Record<string, unknown>) {
  const metrics = defineTestTask('metrics', async (_, context) => {
    context.metrics.record(0, 'p/latency-mean', 12);
    context.metrics.record(1, 'p/latency-mean', 40);
  });
  const registry = createRegistry(
    new Map<string, TaskDefinition<never>>([
      ['metrics', metrics],
      ['notify', notifyTask],
    ]),
  );
  const plan = makePlan(
    [
      { id: 'metrics' },
      {
        id: 'assess',
        task: 'assess',
        with: { SLOs: { upper: { 'p/latency-mean': 25 } } },
        needs: ['metrics'],
      },
      { id: 'notify', task: 'notify', with: notifyWith, needs: ['assess'] },
    ],
    { versions: ['stable', 'canary'] },
  );
  return runLoop({
    plan,
    registry,
    loop: 1,
    experimentHash: 'sha256:0',
    experimentDir: '/nonexistent',
    values: {},
    signal: new AbortController().signal,
    observers: [],
    experimentStart: new Date(),
    env: { HOOK_TOKEN: token },
  });
}

const echoAuthorization: Handler = (request, response) => {
  response.writeHead(503);
  response.end(`denied for ${String(request.headers.authorization ?? request.headers['x-token'])}`);
};

describe('notify in a loop', () => {
  it('sends the SLO verdicts judged earlier in the loop', async () => {
    const server = await receiver((_, response) => void response.end('ok'));
    const record = await runNotifyLoop({ webhook: { url: server.url } });
    expect(record.status).toBe('completed');
    expect(record.tasks.find((t) => t.id === 'notify')).toMatchObject({
      status: 'completed',
      output: `webhook ${server.url}: sent (HTTP 200)`,
    });
    const body = JSON.parse(server.requests[0]!.body) as CompactReport;
    expect(body).toMatchObject({ loop: 1, verdict: 'fail', slos: { pass: 1, fail: 1, nodata: 0 } });
    expect(body.versions.map((v) => [v.name, v.slos[0]?.status])).toEqual([
      ['stable', 'pass'],
      ['canary', 'fail'],
    ]);
  });

  it('records a soft failure as a completed task, secrets redacted', async () => {
    const server = await receiver(echoAuthorization);
    const record = await runNotifyLoop({
      webhook: { url: server.url, headersFrom: { Authorization: { env: 'HOOK_TOKEN', prefix: 'Bearer ' } } },
      retries: 0,
    });
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${token}`);
    expect(record.status).toBe('completed');
    const notify = record.tasks.find((t) => t.id === 'notify');
    expect(notify?.status).toBe('completed');
    expect(notify?.output).toContain('not sent: HTTP 503: denied for Bearer ***');
    expect(new Redactor().add(token).reveals(JSON.stringify(record))).toBe(false);
  });

  it('fails the loop with an execution error when softFailure is false, secrets redacted', async () => {
    const server = await receiver(echoAuthorization);
    const record = await runNotifyLoop({
      webhook: { url: server.url, headersFrom: { 'X-Token': { env: 'HOOK_TOKEN' } } },
      softFailure: false,
      retries: 0,
    });
    expect(record.status).toBe('error');
    const notify = record.tasks.find((t) => t.id === 'notify');
    expect(notify).toMatchObject({ status: 'error' });
    expect(notify?.message).toMatch(
      /^webhook http:\/\/127\.0\.0\.1:\d+: not sent: HTTP 503: denied for \*\*\*$/,
    );
    expect(new Redactor().add(token).reveals(JSON.stringify(record))).toBe(false);
  });
});

describe('inline payload templates in experiment files', () => {
  it('are left for run time by the loader, which renders other strings with values', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'canary-notify-load-'));
    try {
      await writeFile(
        path.join(dir, 'e.yaml'),
        [
          'apiVersion: canary/v1',
          'kind: Experiment',
          'metadata: {name: n}',
          'spec:',
          '  tasks:',
          '    - task: notify',
          '      with:',
          '        webhook:',
          '          url: "{{ values.hook }}"',
          '          payload: \'{"verdict": {{ report.verdict | dump }}, "loop": {{ loop }}}\'',
          '',
        ].join('\n'),
      );
      const loaded = await loadExperiment({
        file: 'e.yaml',
        cwd: dir,
        values: { hook: 'http://127.0.0.1:9/hook' },
        env: {},
      });
      expect(loaded.diagnostics).toEqual([]);
      expect(loaded.plan!.tasks[0]!.with).toEqual({
        webhook: {
          url: 'http://127.0.0.1:9/hook',
          payload: '{"verdict": {{ report.verdict | dump }}, "loop": {{ loop }}}',
        },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('still survive load-time rendering when wrapped in raw (as before)', () => {
    const inline = '{% raw %}{"verdict": {{ report.verdict | dump }}}{% endraw %}';
    expect(renderScalar(createTemplateEnvironment(), inline, { values: {} })).toBe(
      '{"verdict": {{ report.verdict | dump }}}',
    );
  });
});
