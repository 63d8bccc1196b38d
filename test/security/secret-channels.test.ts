import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../cli/cli-harness.js';
import {
  startServer,
  type LoopbackServer,
  type RecordedRequest,
} from '../metrics/backend/loopback-server.js';
import { findLeak, leakProbes } from './leak-probes.js';

/**
 * A real experiment (load from the http task, then metrics and notifications) takes a bearer token
 * from an environment variable, an API key, a basic-auth
 * password and a Slack URL from files, against a loopback backend that echoes what it got into
 * error bodies (cut where a 200-character excerpt would cut the token in half). Every output
 * channel is then scanned for every form of every secret. A new channel is one line in `channels`.
 */

const envToken = 'env+tok/EN=5a9c3e7b';
const fileToken = 'file.tok&en?7d"2e9a41<b>';
const basicPassword = 'pw:Bas1c+b9e4f07a';
const slackSecret = 'slackpath9c8d7e6f';
const basicUser = 'svc-6d1f';
const basicPair = Buffer.from(`${basicUser}:${basicPassword}`).toString('base64');
/** Basic auth sends base64(user:password); windows that only cover the (literal) user are not secret. */
const userPart = Buffer.from(`${basicUser}:`).toString('base64');
const probes = [
  ...[envToken, fileToken, basicPassword, slackSecret].flatMap(leakProbes),
  ...leakProbes(basicPair).filter((probe) => !userPart.includes(probe)),
];

let dir = '';
let server: LoopbackServer;
const runs: Record<'record' | 'json' | 'missingFile', CliResult> = {} as never;
const env = { PROM_TOKEN: envToken, GITHUB_STEP_SUMMARY: '' };

const vector = (value: string) =>
  JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] },
  });

/**
 * A body that puts `echoed` (a secret first) 12 characters before `cut`, where canary cuts an
 * error body to an excerpt (200 characters, 80 for a non-JSON answer): a redactor that runs after
 * the cut sees only half a secret.
 */
const straddling = (before: string, echoed: string, cut = 200) =>
  `${'p'.repeat(cut - 12 - before.length)}${before}${echoed}`;

function answer(request: RecordedRequest): { status: number; body: string; type?: string } {
  const url = new URL(request.url, 'http://x');
  const query = url.searchParams.get('query') ?? new URLSearchParams(request.body).get('query') ?? '';
  const auth = request.headers.authorization ?? '';
  const credential = auth.replace(/^\S+ /, '');
  if (url.pathname === '/hook/deny') return { status: 401, body: straddling('denied: ', credential) };
  if (url.pathname.startsWith('/hook') || url.pathname.startsWith('/slack'))
    return { status: 200, body: 'ok', type: 'text/plain' };
  if (url.pathname === '/basic/api/v1/query') {
    if (query.startsWith('deny')) return { status: 403, body: straddling('got ', credential) };
    if (query.startsWith('password'))
      return {
        status: 403,
        body: straddling(
          'password ',
          Buffer.from(credential, 'base64')
            .toString()
            .slice(basicUser.length + 1),
        ),
      };
    return { status: 200, body: vector('3') };
  }
  const key = String(request.headers['x-api-key']);
  const authorized = auth === `Bearer ${envToken}` && key === fileToken;
  if (!authorized || query.startsWith('deny'))
    return { status: 401, body: straddling('', `${credential} ${key}`), type: 'text/plain' };
  if (query.startsWith('keydeny')) return { status: 401, body: straddling('', `${key} ${credential}`) };
  if (query.startsWith('promerr'))
    return {
      status: 400,
      body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: straddling('', credential) }),
    };
  if (query.startsWith('html'))
    return { status: 200, body: straddling('', credential, 80), type: 'text/html' };
  if (query.startsWith('echo'))
    return {
      status: 200,
      body: JSON.stringify({
        status: 'success',
        echo: `${auth} ${key}`,
        data: { result: [{ value: [1, '2'] }] },
      }),
    };
  return { status: 200, body: vector(query.includes('canary') ? '9' : '1.5') };
}

function experiment(port: number): string {
  const base = `http://127.0.0.1:${port}`;
  return `apiVersion: canary/v1
kind: Experiment
metadata:
  name: secrets-probe
spec:
  versions: [stable, canary]
  tasks:
    - id: load
      task: http
      with:
        url: ${base}/load
        numRequests: 3
        headersFrom: {Authorization: {env: PROM_TOKEN, prefix: 'Bearer '}, X-Api-Key: {file: secrets/api-key}}
    - id: metrics
      task: custommetrics
      with:
        templates: {prom: builtin:prometheus}
        retries: 0
        auth: {bearer: {env: PROM_TOKEN}}
        headersFrom: {X-Api-Key: {file: secrets/api-key}}
        values:
          prometheusURL: ${base}/api/v1/query
          metrics:
            - {name: latency, query: 'lat{$labels}'}
            - {name: denied, query: 'deny{$labels}'}
            - {name: keydenied, query: 'keydeny{$labels}'}
            - {name: promerr, query: 'promerr{$labels}'}
            - {name: html, query: 'html{$labels}'}
            - {name: echo, query: 'echo{$labels}'}
        versionValues:
          - {labels: {v: stable}}
          - {labels: {v: canary}}
    - id: basicmetrics
      task: custommetrics
      with:
        templates: {b: builtin:prometheus}
        retries: 0
        auth: {basic: {username: {value: ${basicUser}}, password: {file: secrets/basic-pw}}}
        values:
          prometheusURL: ${base}/basic/api/v1/query
          metrics:
            - {name: ok, query: ok}
            - {name: deny, query: deny}
            - {name: password, query: password}
    - id: assess
      task: assess
      needs: [metrics, basicmetrics]
      with:
        SLOs:
          upper: {prom/latency: 2, prom/denied: 1, prom/keydenied: 1, prom/promerr: 1, prom/html: 1, b/deny: 1, b/password: 1}
    - id: hook
      task: notify
      needs: [assess]
      with:
        webhook: {url: ${base}/hook, headersFrom: {Authorization: {env: PROM_TOKEN, prefix: 'Bearer '}}}
    - id: hookdeny
      task: notify
      needs: [assess]
      with:
        retries: 0
        webhook: {url: ${base}/hook/deny, headersFrom: {Authorization: {file: secrets/api-key, prefix: 'Bearer '}}}
    - id: slack
      task: notify
      needs: [assess]
      with:
        slack: {url: {file: secrets/slack-url}}
`;
}

const cli = (...args: string[]) => runCli(args, { cwd: dir, env });
const both = (result: CliResult) => `${result.stdout}\n${result.stderr}`;

async function readTree(root: string): Promise<string> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  return (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
}

/** The manifests, with every Secret's data decoded too (a base64 blob would hide a token). */
function manifestsWithDecodedSecrets(yaml: string): string {
  const decoded = parseAllDocuments(yaml).flatMap((document) => {
    const object = document.toJS() as { kind?: string; data?: Record<string, string> } | null;
    if (object?.kind !== 'Secret') return [];
    return Object.values(object.data ?? {}).map((value) => Buffer.from(value, 'base64').toString('latin1'));
  });
  return [yaml, ...decoded].join('\n');
}

/** What reached a notification receiver, except the credential that had to reach it. */
function received(prefix: string): string {
  return server.requests
    .filter((r) => r.url.startsWith(prefix))
    .map((r) => {
      const headers = Object.entries(r.headers).filter(([name]) => name !== 'authorization');
      return `${JSON.stringify(headers)}\n${r.body}`;
    })
    .join('\n');
}

/** Every way canary shows what it did. `expect` is text the channel must show, so it cannot pass empty. */
const channels: Array<{ name: string; read: () => Promise<string>; expect: string | RegExp }> = [
  { name: 'run: stdout and stderr', read: async () => both(runs.record), expect: 'HTTP 401' },
  { name: 'run --json events', read: async () => both(runs.json), expect: '"event":"task-end"' },
  {
    name: 'result file',
    read: () => readFile(path.join(dir, 'canary-results/secrets-probe.jsonl'), 'utf8'),
    expect: 'HTTP 401',
  },
  { name: 'report -o text', read: async () => both(await cli('report', '-o', 'text')), expect: 'HTTP 403' },
  { name: 'report -o json', read: async () => both(await cli('report', '-o', 'json')), expect: 'HTTP 401' },
  {
    name: 'report -o markdown',
    read: async () => both(await cli('report', '-o', 'markdown')),
    expect: 'HTTP 401',
  },
  { name: 'report -o html', read: async () => both(await cli('report', '-o', 'html')), expect: 'HTTP 401' },
  {
    name: 'report -o openmetrics',
    read: async () => both(await cli('report', '-o', 'openmetrics')),
    expect: 'prom/latency',
  },
  {
    name: 'run --dry-run',
    read: async () => both(await cli('run', 'experiment.yaml', '--dry-run')),
    expect: 'PROM_TOKEN',
  },
  {
    name: 'validate',
    read: async () => both(await cli('validate', 'experiment.yaml')),
    expect: 'experiment.yaml',
  },
  {
    name: 'assert --explain',
    read: async () => both(await cli('assert', '--slos', '--explain')),
    expect: 'HTTP 401',
  },
  { name: 'diff', read: async () => both(await cli('diff', '--loops', '1,2')), expect: 'prom/latency' },
  {
    name: 'diff -o json',
    read: async () => both(await cli('diff', '--loops', '1,2', '-o', 'json')),
    expect: 'prom/latency',
  },
  { name: 'results list', read: async () => both(await cli('results', 'list')), expect: 'completed' },
  {
    name: 'results list -o json',
    read: async () => both(await cli('results', 'list', '-o', 'json')),
    expect: 'completed',
  },
  {
    name: '--record-fixtures files',
    read: () => readTree(path.join(dir, 'fixtures')),
    expect: /"status": 401/,
  },
  {
    name: 'webhook payloads (without the Authorization header)',
    read: async () => received('/hook'),
    expect: 'prom/latency',
  },
  { name: 'slack payloads', read: async () => received('/slack'), expect: 'prom/latency' },
  {
    name: 'k launch --dry-run manifests, Secret data decoded',
    read: async () =>
      manifestsWithDecodedSecrets(
        (
          await cli(
            ...['k', 'launch', 'experiment.yaml', '--dry-run'],
            // The pod reads each secret from a Kubernetes Secret the user names (never the manifests).
            ...['--secret-env', 'PROM_TOKEN=prom/token'],
            ...['--secret-file', 'secrets/api-key=prom/api-key'],
            ...['--secret-file', 'secrets/basic-pw=prom/basic-pw'],
            ...['--secret-file', 'secrets/slack-url=slack/url'],
          )
        ).stdout,
      ),
    expect: /kind: (Cron)?Job/,
  },
  {
    name: 'GitHub job summary (assert --github-summary)',
    read: async () => {
      const summary = path.join(dir, 'summary.md');
      const result = await runCli(['assert', '--slos', '--github-summary'], {
        cwd: dir,
        env: { ...env, GITHUB_STEP_SUMMARY: summary },
      });
      return `${both(result)}\n${await readFile(summary, 'utf8')}`;
    },
    expect: 'HTTP 401',
  },
  {
    name: 'run with the token file missing',
    read: async () => both(runs.missingFile),
    expect: 'cannot read secret file',
  },
];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-secret-channels-'));
  server = await startServer((request, response) => {
    const { status, body, type } = answer(request);
    response.writeHead(status, { 'content-type': type ?? 'application/json' });
    response.end(body);
  });
  await mkdir(path.join(dir, 'secrets'));
  await writeFile(path.join(dir, 'secrets/api-key'), `${fileToken}\n`);
  await writeFile(path.join(dir, 'secrets/basic-pw'), `${basicPassword}\n`);
  await writeFile(path.join(dir, 'secrets/slack-url'), `${server.url}/slack/T000/B000/${slackSecret}\n`);
  await writeFile(path.join(dir, 'experiment.yaml'), experiment(server.port));
  runs.record = await cli('run', 'experiment.yaml', '--record-fixtures', 'fixtures');
  runs.json = await cli('run', 'experiment.yaml', '--json');
  await rm(path.join(dir, 'secrets/api-key'));
  runs.missingFile = await cli('run', 'experiment.yaml', '--results', 'missing/results.jsonl');
  await writeFile(path.join(dir, 'secrets/api-key'), `${fileToken}\n`);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the experiment really used its secrets', () => {
  it('sent the env token and the file key to the backend, and the credentials to the receivers', () => {
    const backend = server.requests.filter((r) => r.url.startsWith('/api/v1/query'));
    expect(backend.length).toBeGreaterThan(0);
    expect(backend.every((r) => r.headers.authorization === `Bearer ${envToken}`)).toBe(true);
    expect(backend.every((r) => r.headers['x-api-key'] === fileToken)).toBe(true);
    const basicAuth = `Basic ${basicPair}`;
    expect(server.requests.some((r) => r.headers.authorization === basicAuth)).toBe(true);
    const load = server.requests.filter((r) => r.url === '/load');
    expect(load).toHaveLength(6); // 3 per run, two runs with the key file in place
    expect(load.every((r) => r.headers.authorization === `Bearer ${envToken}`)).toBe(true);
    expect(load.every((r) => r.headers['x-api-key'] === fileToken)).toBe(true);
    const hooks = server.requests.filter((r) => r.url === '/hook');
    expect(hooks).toHaveLength(2);
    expect(hooks.every((r) => r.headers.authorization === `Bearer ${envToken}`)).toBe(true);
    expect(server.requests.filter((r) => r.url.endsWith(`/${slackSecret}`))).toHaveLength(2);
  });

  it('ran both loops (exit 1: an SLO fails) and failed cleanly without the token file (exit 4)', () => {
    expect(runs.record.code).toBe(1);
    expect(runs.json.code).toBe(1);
    expect(runs.missingFile.code).toBe(4);
  });
});

describe('no output channel shows a secret in any form', () => {
  it.each(channels)('$name', async ({ read, expect: shown }) => {
    const text = await read();
    expect(text).toMatch(shown);
    expect(findLeak(text, probes)).toBeUndefined();
  });
});
