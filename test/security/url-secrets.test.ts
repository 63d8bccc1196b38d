import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/cli-harness.js';
import { Redactor } from '../../src/metrics/backend/redactor.js';

const token = 'T0kenInPath9f3a';
const key = 'QueryKey7c1e55';
const password = 'pw-S3cretUserinfo';

/** Answers every request with a 500 that echoes its path and query, and any Authorization it got. */
let server: Server;
let base: string;
let dir: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    response.statusCode = 500;
    response.end(
      `cannot handle ${request.method} ${request.url} (auth ${request.headers.authorization ?? '-'})`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  dir = mkdtempSync(path.join(tmpdir(), 'canary-url-secrets-'));
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('Redactor.addUrl', () => {
  it('redacts the parts of a secret URL a server may echo on their own', () => {
    const redactor = new Redactor().addUrl(`https://hooks.example/services/${token}/x?key=${key}`);
    const echoed = `404 /services/${token}/x?key=${key}; path /services/${token}/x; key=${key}`;
    const redacted = redactor.redact(echoed);
    expect(redacted).not.toContain(token);
    expect(redacted).not.toContain(key);
  });

  it('redacts the userinfo of any URL in any text', () => {
    expect(new Redactor().redact(`GET http://bob:${password}@host/q failed`)).toBe(
      'GET http://***@host/q failed',
    );
  });
});

describe('secret URLs through the CLI', () => {
  it('a webhook URL from urlFrom stays out of stderr and the result file when the server echoes it', async () => {
    writeFileSync(
      path.join(dir, 'hook.yaml'),
      `apiVersion: canary/v1
kind: Experiment
metadata: { name: hook }
spec:
  tasks:
    - id: hook
      task: notify
      with:
        retries: 0
        webhook: { urlFrom: { env: HOOK_URL } }
`,
    );
    const run = await runCli(['run', 'hook.yaml', '--results', 'hook.jsonl', '--no-github-summary'], {
      cwd: dir,
      env: { HOOK_URL: `${base}/hooks/${token}/post?key=${key}` },
    });
    const written = readFileSync(path.join(dir, 'hook.jsonl'), 'utf8');
    expect(written).toContain('HTTP 500'); // the echo was recorded, redacted
    for (const text of [run.stdout, run.stderr, written]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(key);
    }
  }, 60_000);

  it('--set prometheusURL with user:pass@ stays out of the result file, dry-run and logs; validate warns', async () => {
    writeFileSync(
      path.join(dir, 'prom.yaml'),
      `apiVersion: canary/v1
kind: Experiment
metadata: { name: prom }
spec:
  tasks:
    - id: metrics
      task: custommetrics
      with:
        templates: { p: builtin:prometheus }
        values:
          prometheusURL: "{{ values.prometheusURL }}"
          metrics: [{ name: up, query: up }]
        retries: 0
`,
    );
    const url = `--set=prometheusURL=${base.replace('http://', `http://alice:${password}@`)}/api/v1/query`;
    const run = await runCli(['run', 'prom.yaml', url, '--results', 'prom.jsonl', '--no-github-summary'], {
      cwd: dir,
    });
    const dryRun = await runCli(['run', 'prom.yaml', url, '--dry-run'], { cwd: dir });
    const validate = await runCli(['validate', 'prom.yaml', url], { cwd: dir });
    const written = readFileSync(path.join(dir, 'prom.jsonl'), 'utf8');
    expect(written).toContain('http://***@127.0.0.1');
    expect(dryRun.stdout).toContain('http://***@127.0.0.1');
    expect(validate.stdout + validate.stderr).toMatch(
      /prom\.yaml:11:\d+ +warning +spec\.tasks\[0\]\.with\.values\.prometheusURL: URL with a user name and password in it \(http:\/\/\*\*\*@/,
    );
    expect(validate.stdout + validate.stderr).toContain('auth: {basic:');
    for (const text of [
      run.stdout,
      run.stderr,
      written,
      dryRun.stdout,
      dryRun.stderr,
      validate.stdout,
      validate.stderr,
    ])
      expect(text).not.toContain(password);
  }, 60_000);

  it('the literal-credential warning does not print the credential', async () => {
    writeFileSync(
      path.join(dir, 'literal.yaml'),
      `apiVersion: canary/v1
kind: Experiment
metadata: { name: literal }
spec:
  tasks:
    - task: http
      with:
        url: ${base}/
        headers: { Authorization: 'Bearer ${token}', X-Trace: keep-me }
`,
    );
    const validate = await runCli(['validate', 'literal.yaml'], { cwd: dir });
    const out = validate.stdout + validate.stderr;
    expect(out).toContain('header Authorization looks like a credential');
    expect(out).toContain('headers: { Authorization: ***, X-Trace: keep-me }');
    expect(out).not.toContain(token);
  }, 60_000);
});
