import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { bestVersions } from '../../src/report/best-versions.js';
import { runOneLoop } from '../support/run-one-loop.js';
import { greeterProto, serveFiles, startGreeter } from '../tasks/grpc/greeter-server.js';

/**
 * Iter8 v0.14.10's experiment files (test/iter8/testdata, see NOTICE.md), read as they are.
 * Runnable ones run against a loopback server that answers as Iter8's own tests' handler did
 * (base.GetTrackingHandler: 100 ms, then 200), their URL put in as Iter8's tests put it in.
 */
const corpus = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');

let server: Server;
let url: string;
let requests = 0;

beforeAll(async () => {
  server = createServer((_request, response) => {
    requests++;
    setTimeout(() => response.end('{"ok":true}'), 100);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/get`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const errorsOf = (diagnostics: ReadonlyArray<{ severity: string; message: string; path: string }>) =>
  diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.path}: ${d.message}`);

describe('Iter8 testdata experiments validate as they are', () => {
  it.each([
    'assertinputs/experiment.yaml',
    'assertinputs/experimentWithLowerSLOs.yaml',
    'assertinputs/noinsights/experiment.yaml',
    'assertinputsfail/experiment.yaml',
    'experiment.yaml',
    'experiment.tpl',
    'drivertests/experiment.tpl',
    'experiment_fails.tpl',
  ])('%s', async (file) => {
    // The .tpl files are Go templates of an experiment: YAML once Iter8's tests filled in the URL.
    await withCopy(file, async (dir) => {
      const loaded = await loadExperiment({ file: 'e.yaml', cwd: dir });
      expect(errorsOf(loaded.diagnostics)).toEqual([]);
      // Iter8's 4-task shape: http, assess, and the two `if: SLOs()` run tasks.
      expect(loaded.plan?.tasks.map((t) => t.task)).toEqual(['http', 'assess', 'run', 'run']);
      expect(loaded.experiment?.spec.tasks[2]?.if).toBe('slos()');
    });
  });

  it('names the experiment after the file, or --name', async () => {
    const byFile = await loadExperiment({ file: 'assertinputs/experimentWithLowerSLOs.yaml', cwd: corpus });
    expect(byFile.experiment?.metadata.name).toBe('experimentwithlowerslos');
    const byFlag = await loadExperiment({ file: 'experiment.yaml', cwd: corpus, name: 'checkout' });
    expect(byFlag.experiment?.metadata.name).toBe('checkout');
  });

  it('notes that `result` is ignored, at its line', async () => {
    const loaded = await loadExperiment({ file: 'assertinputsfail/experiment.yaml', cwd: corpus });
    const note = loaded.diagnostics.find((d) => d.path === 'result');
    expect(note).toMatchObject({ severity: 'warning', line: 33, column: 1 });
    expect(note?.message).toContain('ignored');
  });

  it('points diagnostics at the original spelling (Lower, spec[i])', async () => {
    const loaded = await loadExperiment({ file: 'assertinputs/experimentWithLowerSLOs.yaml', cwd: corpus });
    const warning = loaded.diagnostics.find((d) => d.message.includes('user/engagement'));
    // `- metric: "user/engagement"` under `Lower:` is line 29 of the Iter8 file.
    expect(warning).toMatchObject({ severity: 'warning', line: 29, column: 19 });
  });

  // Files that need what canary does not have (yet): each gets one clear error, not a crash.
  it.each([
    ['experiment_abn.yaml', /A\/B\/n service.*custommetrics/],
    ['experiment_db.yaml', /startingTime must be an RFC 3339 time/],
  ])('%s names what it needs', async (file, pattern) => {
    const loaded = await loadExperiment({ file, cwd: corpus, env: { CANARY_OFFLINE: '1' } });
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.some((e) => pattern.test(`${e.message} ${e.hint ?? ''}`))).toBe(true);
  });
});

describe("Iter8's grpc experiment file", () => {
  // Iter8 read this file into Go structs, which dropped the misspelt key; canary never ignores a
  // value, so the file is refused, at the typo, with the spelling it meant.
  it('is refused for its one typo, connect-timeeout, at experiment_grpc.yaml:11:7', async () => {
    const loaded = await loadExperiment({ file: 'experiment_grpc.yaml', cwd: corpus, env: {} });
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([
      {
        severity: 'error',
        file: 'experiment_grpc.yaml',
        line: 11,
        column: 7,
        path: 'spec.tasks[0].with.connect-timeeout',
        message: 'unknown key "connect-timeeout"',
        hint: 'did you mean "connect-timeout"?',
      },
    ]);
  });

  // With the typo fixed, and host and protoURL pointed at loopback (Iter8 never ran this file: its
  // host has no port, its proto is on GitHub), it runs: 200 calls at concurrency 5, named bob.
  it.each([
    ['answers at once', 0, true],
    ['answers in 120 ms, over the 100 ms mean and p50 limits', 120, false],
  ])('a Greeter that %s (delay %i ms): SLOs() is %s', async (_, delayMs, satisfied) => {
    const greeter = await startGreeter({ delayMs: () => delayMs });
    const files = await serveFiles({ '/greeter.proto': await readFile(greeterProto, 'utf8') });
    try {
      const text = (await readFile(path.join(corpus, 'experiment_grpc.yaml'), 'utf8'))
        .replace('connect-timeeout', 'connect-timeout')
        .replace('host: "127.0.0.1"', `host: "${greeter.host}"`)
        .replace(/protoURL: ".*"/, `protoURL: "${files.url}/greeter.proto"`);
      await withText(text, async (dir) => {
        const record = await runOneLoop(dir, { env: { CANARY_CACHE_DIR: path.join(dir, 'cache') } });
        expect(greeter.calls).toHaveLength(200);
        expect(greeter.calls.every((call) => call.name === 'bob')).toBe(true);
        expect(record.metrics[0]?.['grpc/request-count']?.value).toBe(200);
        expect(record.tasks.map((t) => [t.task, t.status])).toEqual([
          ['grpc', 'completed'],
          ['assess', 'completed'],
          ['run', satisfied ? 'completed' : 'skipped'],
        ]);
        const status = (metric: string) => record.slos.find((s) => s.metric === metric)?.status;
        expect(status('grpc/error-rate')).toBe('pass');
        expect(record.slos.every((s) => s.status === 'pass')).toBe(satisfied);
        if (!satisfied) {
          for (const metric of ['grpc/latency/mean', 'grpc/latency/p50', 'grpc/latency/p50.0'])
            expect(status(metric)).toBe('fail');
        }
      });
    } finally {
      await files.close();
      await greeter.close();
    }
  });
});

describe('Iter8 testdata experiments run on loopback, judged as Iter8 judged them', () => {
  // Iter8's verdicts: 100 ms answers meet every limit but experiment_fails' p50 <= 1 ms, and the
  // Lower SLO on user/engagement, which no task measures, is not satisfied.
  it.each([
    ['experiment.tpl', true],
    ['drivertests/experiment.tpl', true],
    ['experiment_fails.tpl', false],
    ['experiment.yaml', true],
    ['assertinputs/experiment.yaml', true],
    ['assertinputs/noinsights/experiment.yaml', true],
    ['assertinputsfail/experiment.yaml', true],
    ['assertinputs/experimentWithLowerSLOs.yaml', false],
  ])('%s: SLOs() is %s', async (file, satisfied) => {
    await withCopy(file, async (dir) => {
      const before = requests;
      const record = await runOneLoop(dir);
      expect(requests).toBeGreaterThan(before);
      const status = (id: string) => record.tasks.find((t) => t.id === id)?.status;
      expect(status('http')).toBe('completed');
      expect(status('run-1')).toBe(satisfied ? 'completed' : 'skipped');
      expect(status('run-2')).toBe(satisfied ? 'skipped' : 'completed');
      expect(record.slos.every((s) => s.status === 'pass')).toBe(satisfied);
    });
  });
});

describe("Iter8's rewards", () => {
  it('name the best version per reward, as result.insights.rewardsWinners did', async () => {
    await withCopy('assertinputs/experiment.yaml', async (dir) => {
      const loaded = await loadExperiment({ file: 'e.yaml', cwd: dir });
      const record = await runOneLoop(dir);
      const winners = bestVersions(loaded.experiment, record);
      // One version: Iter8 recorded version 0 as the winner of every reward.
      expect(winners.map((w) => [w.metric, w.direction, w.best])).toEqual([
        ['http/latency-mean', 'max', 'version-0'],
        ['http/latency-p50', 'max', 'version-0'],
        ['http/error-rate', 'min', 'version-0'],
      ]);
      expect(winners.every((w) => typeof w.value === 'number')).toBe(true);
    });
  });
});

/** The file as e.yaml in a temporary directory, its URL (template or httpbin) the loopback server's. */
async function withCopy(file: string, use: (dir: string) => Promise<void>): Promise<void> {
  const text = (await readFile(path.join(corpus, file), 'utf8'))
    .replace('{{ .URL }}', url)
    .replace('https://httpbin.org/get', url);
  await withText(text, use);
}

/** `text` as e.yaml in a temporary directory, removed afterwards. */
async function withText(text: string, use: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'canary-iter8-'));
  try {
    await writeFile(path.join(dir, 'e.yaml'), text);
    await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
