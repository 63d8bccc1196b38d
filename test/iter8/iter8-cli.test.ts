import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/exit-codes.js';
import { runCli } from '../cli/cli-harness.js';

/** An Iter8 experiment file through the built binary: every command that reads an experiment. */
const corpus = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
let dir: string;
let server: Server;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'canary-iter8-cli-'));
  server = createServer((_request, response) => setTimeout(() => response.end('ok'), 100));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/get`;
  // Iter8's tests filled the template's URL with a local server's; so does this one.
  const template = await readFile(path.join(corpus, 'experiment_fails.tpl'), 'utf8');
  await writeFile(path.join(dir, 'experiment.yaml'), template.replace('{{ .URL }}', url));
  await writeFile(
    path.join(dir, 'with-result.yaml'),
    (await readFile(path.join(corpus, 'assertinputsfail/experiment.yaml'), 'utf8')).replace(
      'https://httpbin.org/get',
      url,
    ),
  );
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('Iter8 experiment files on the command line', () => {
  it('validate: valid, result noted at its line', async () => {
    const result = await runCli(['validate', 'with-result.yaml'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('with-result.yaml:33:1  warning  result: ignored');
    expect(result.stderr).toContain('with-result.yaml: valid (0 errors, 1 warning, 4 tasks)');
  });

  it('run, report and --replay: SLOs() judged as Iter8 judged experiment_fails (p50 > 1 ms)', async () => {
    const run = await runCli(['run', 'experiment.yaml', '-q', '--name', 'fails'], { cwd: dir });
    expect(run.code).toBe(ExitCode.assertionFailed);
    const report = await runCli(['report', '--results', 'canary-results/fails.jsonl'], { cwd: dir });
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/Experiment:\s+fails/);
    expect(report.stdout).toMatch(/run-1\s+run\s+skipped/);
    expect(report.stdout).toMatch(/run-2\s+run\s+completed/);
    const replay = await runCli(
      ['run', 'experiment.yaml', '--name', 'fails', '--replay', 'canary-results/fails.jsonl'],
      { cwd: dir },
    );
    expect(replay.stdout + replay.stderr).toContain('no verdict changed');
  });

  it('k launch --dry-run', async () => {
    const result = await runCli(['k', 'launch', 'experiment.yaml', '-g', 'iter8', '--dry-run'], {
      cwd: dir,
      env: { KUBECONFIG: path.join(dir, 'none') },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('kind: Job');
  });

  it('migrate: prints canary/v1 (exit 0); a canary file is refused (exit 3)', async () => {
    const migrated = await runCli(['migrate', 'with-result.yaml'], { cwd: dir });
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/^apiVersion: canary\/v1\n/);
    expect(migrated.stderr).toContain('dropped result');
    await writeFile(path.join(dir, 'migrated.yaml'), migrated.stdout);
    expect((await runCli(['validate', 'migrated.yaml'], { cwd: dir })).code).toBe(0);
    const again = await runCli(['migrate', 'migrated.yaml'], { cwd: dir });
    expect(again.code).toBe(ExitCode.invalidExperiment);
    expect(again.stderr).toContain('already a canary experiment');
  });
});
