import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAgainstSchema } from '../../../src/config/schema-check.js';
import { notifyTask } from '../../../src/tasks/notify/notify.js';
import type { NotifyInput } from '../../../src/tasks/notify/notify-input.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-notify-check-'));
  await writeFile(path.join(dir, 'broken.njk'), '{"a": {{ report.verdict | dump }');
  await writeFile(path.join(dir, 'good.njk'), '{"a": {{ report.verdict | dump }}}');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function check(input: NotifyInput) {
  return notifyTask.check!(input, { experimentDir: dir, env: {} });
}

describe('notify: input schema', () => {
  it('accepts each target and points at unknown keys precisely', () => {
    expect(checkAgainstSchema(notifyTask.inputSchema, { slack: { url: { env: 'SLACK_URL' } } })).toEqual([]);
    expect(
      checkAgainstSchema(notifyTask.inputSchema, {
        github: { repository: 'acme/models', token: { file: 'token' }, eventType: 'canary-result' },
        softFailure: false,
        timeout: '5s',
        retries: 3,
      }),
    ).toEqual([]);
    const problems = checkAgainstSchema(notifyTask.inputSchema, {
      slack: { url: { env: 'X' }, channel: '#ops' },
    });
    expect(problems.map((p) => [p.path.join('.'), p.message])).toEqual([
      ['slack.channel', 'unknown key "channel"'],
    ]);
    expect(
      checkAgainstSchema(notifyTask.inputSchema, { github: { repository: 'no-slash', token: { env: 'T' } } }),
    ).not.toEqual([]);
    expect(checkAgainstSchema(notifyTask.inputSchema, { webhook: { url: 'ftp://x' } })).not.toEqual([]);
  });
});

describe('notify: check', () => {
  it('needs exactly one target', async () => {
    expect(await check({})).toMatchObject([
      { severity: 'error', message: "say where to notify: webhook, slack, github, or Iter8's url" },
    ]);
    expect(await check({ url: 'http://a/', webhook: { url: 'http://b/' } })).toMatchObject([
      { severity: 'error', path: ['webhook'], message: 'notify one target per task, got url and webhook' },
    ]);
    expect(
      await check({ payloadTemplateURL: 'https://x/p.tpl', slack: { url: { env: 'A' } } }),
    ).toMatchObject([
      {
        severity: 'error',
        path: ['payloadTemplateURL'],
        message: "payloadTemplateURL goes with url (Iter8's notify inputs)",
      },
    ]);
    expect(
      await check({ slack: { url: { env: 'A' } }, github: { repository: 'a/b', token: { env: 'B' } } }),
    ).toMatchObject([
      { severity: 'error', path: ['github'], message: 'notify one target per task, got slack and github' },
    ]);
  });

  it('needs one of url and urlFrom, and one of payload and payloadFile', async () => {
    expect(await check({ webhook: {} })).toMatchObject([
      { path: ['webhook'], message: 'give exactly one of url and urlFrom' },
    ]);
    expect(
      await check({
        webhook: { url: 'http://x', urlFrom: { env: 'U' }, payload: '{}', payloadFile: 'good.njk' },
      }),
    ).toMatchObject([
      { message: 'give exactly one of url and urlFrom' },
      { path: ['webhook', 'payloadFile'], message: 'give payload or payloadFile, not both' },
    ]);
  });

  it('compiles payload templates, inline and from files', async () => {
    expect(await check({ webhook: { url: 'http://x', payloadFile: 'good.njk' } })).toEqual([]);
    const [broken] = await check({ webhook: { url: 'http://x', payloadFile: 'broken.njk' } });
    expect(broken).toMatchObject({ severity: 'error', path: ['webhook', 'payloadFile'] });
    expect(broken!.message).toMatch(/^payload template: /);
    const [missing] = await check({ webhook: { url: 'http://x', payloadFile: 'nope.njk' } });
    expect(missing!.message).toMatch(/cannot read payloadFile .*nope\.njk \(ENOENT\)/);
    const [inline] = await check({ webhook: { url: 'http://x', payload: '{% for %}' } });
    expect(inline).toMatchObject({ path: ['webhook', 'payload'] });
  });

  it('warns about credentials written into headers', async () => {
    expect(
      await check({ webhook: { url: 'http://x', headers: { Authorization: 'Bearer abc', 'X-Team': 'ml' } } }),
    ).toMatchObject([
      {
        severity: 'warning',
        path: ['webhook', 'headers', 'Authorization'],
        hint: expect.stringContaining('headersFrom'),
      },
    ]);
  });

  it('rejects a zero timeout', async () => {
    expect(await check({ slack: { url: { env: 'A' } }, timeout: '0' })).toMatchObject([
      { path: ['timeout'] },
    ]);
  });

  it('produces no metrics, so SLOs on unknown metrics are still flagged', () => {
    expect(notifyTask.produces!({ slack: { url: { env: 'A' } } })).toEqual([]);
  });
});

describe('notify: preview', () => {
  it('shows where it would send without secrets or URL paths', async () => {
    expect(
      await notifyTask.preview!(
        {
          webhook: {
            url: 'https://hooks.example.com/T0/B0/secret?token=x',
            headersFrom: { Authorization: { env: 'T' } },
          },
        },
        { experimentDir: dir, env: {} },
      ),
    ).toEqual({
      target: 'webhook',
      softFailure: true,
      url: 'https://hooks.example.com',
      method: 'POST',
      headers: ['Authorization'],
      payload: 'compact report',
    });
    expect(
      await notifyTask.preview!(
        { slack: { url: { env: 'S' } }, softFailure: false },
        { experimentDir: dir, env: {} },
      ),
    ).toEqual({
      target: 'slack',
      softFailure: false,
    });
  });
});
