import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { expectedKserveMetrics, kserveOpenMetrics, type RevisionTraffic } from '../support/kserve-data.js';
import { runCli } from '../cli/cli-harness.js';
import { loadExperiment } from '../../src/config/load-experiment.js';

/**
 * Record a loop against a real Prometheus (with a bearer token configured), stop Prometheus, and
 * replay the loop from the fixture files: the same values and verdicts, with no backend and no token.
 */

const token = 'fixture-test-token-5f2c9a71d3';
const here = path.dirname(fileURLToPath(import.meta.url));

function traffic(revisionName: string, count: number, meanMs: number, errorEvery: number): RevisionTraffic {
  return {
    serviceName: 'sklearn-iris-predictor-default',
    revisionName,
    requests: Array.from({ length: count }, (_, i) => ({
      // A fixed spread around the mean, so the data set is the same on every run.
      ms: Math.round(meanMs * (0.4 + ((i * 37) % 100) / 83) * 100) / 100,
      status: errorEvery > 0 && i % errorEvery === errorEvery - 1 ? 500 : 200,
    })),
  };
}

const candidate = traffic('sklearn-iris-predictor-default-00002', 300, 18, 0);
const baseline = traffic('sklearn-iris-predictor-default-00001', 200, 35, 40);
const percentiles = [50, 90, 95];

let prometheus: PrometheusServer | undefined;
let dir: string;

function experiment(name: string, templates: string, extra = ''): string {
  return `apiVersion: canary/v1
kind: Experiment
metadata: {name: ${name}}
spec:
  versions: [candidate, baseline]
  tasks:
    - id: metrics
      task: custommetrics
      with:
        templates: ${templates}
        auth: {bearer: {env: PROM_TOKEN}}
        values:
          prometheusURL: "{{ values.prometheusURL | default('http://127.0.0.1:9090/api/v1/query') }}"
          startingTime: "{{ values.startingTime | default(none) }}"
          labels: {service_name: sklearn-iris-predictor-default}
          latencyPercentiles: [${percentiles.join(', ')}]
        versionValues:
          - labels: {revision_name: ${candidate.revisionName}}
          - labels: {revision_name: ${baseline.revisionName}}${extra}
    - task: assess
      with:
        SLOs:
          upper:
            kserve-prometheus/error-count: 0
            kserve-prometheus/latency-mean: 25
            iter8/latency-p90: 40
`;
}

const liveTemplates = '{kserve-prometheus: builtin:kserve-prometheus, iter8: kserve-iter8-style.tpl}';
const replayTemplates =
  '{kserve-prometheus: "fixture:fixtures/kserve-prometheus.fixture.json", iter8: {fixture: fixtures/iter8.fixture.json}}';

async function loopOf(file: string) {
  const records = (await readFile(path.join(dir, file), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  return records.findLast((r) => r.kind === 'loop');
}

let live: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  prometheus = await startPrometheus({
    openMetrics: kserveOpenMetrics([candidate, baseline], nowSeconds - 1200, nowSeconds - 60),
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-fixtures-'));
  await copyFile(
    path.join(here, 'fixtures/kserve-iter8-style.tpl'),
    path.join(dir, 'kserve-iter8-style.tpl'),
  );
  await writeFile(path.join(dir, 'live.yaml'), experiment('live', liveTemplates));
  await writeFile(path.join(dir, 'replay.yaml'), experiment('replay', replayTemplates));
  const startingTime = new Date((nowSeconds - 1800) * 1000).toISOString().replace('.000Z', 'Z');
  // Two loops: the fixture keeps the last one.
  live = await runCli(
    [
      'run',
      'live.yaml',
      '--set',
      `prometheusURL=${prometheus.queryUrl}`,
      '--set',
      `startingTime=${startingTime}`,
      '--loops',
      '2',
      '--record-fixtures',
      'fixtures',
      '--results',
      'live.jsonl',
    ],
    { cwd: dir, env: { PROM_TOKEN: token } },
  );
  // From here on there is no backend at all.
  await prometheus.stop();
  prometheus = undefined;
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('canary run --record-fixtures', () => {
  it('writes one fixture per provider, with every query of the last loop', async () => {
    expect(live.stderr).toMatch(
      /recorded 16 responses of kserve-prometheus to .*kserve-prometheus\.fixture\.json/,
    );
    expect((await readdir(path.join(dir, 'fixtures'))).sort()).toEqual([
      'iter8.fixture.json',
      'kserve-prometheus.fixture.json',
    ]);
    const fixture = JSON.parse(
      await readFile(path.join(dir, 'fixtures/kserve-prometheus.fixture.json'), 'utf8'),
    );
    expect(fixture).toMatchObject({
      format: 'canary.fixture/v1',
      provider: 'kserve-prometheus',
      template: 'builtin:kserve-prometheus',
      loop: 2,
    });
    // startingTime is 30 minutes ago: both versions rendered with the same window.
    expect(fixture.elapsedTimeSeconds).toHaveLength(2);
    expect(fixture.elapsedTimeSeconds[0]).toBeGreaterThanOrEqual(1800);
    // 4 metrics + 3 percentiles, for 2 versions; the first answers the first metric of version 0.
    expect(fixture.exchanges).toHaveLength(16);
    expect(fixture.exchanges[0]).toMatchObject({
      request: { method: 'GET', url: prometheus?.queryUrl ?? expect.stringMatching(/\/api\/v1\/query$/) },
      response: { status: 200, contentType: 'application/json', json: { status: 'success' } },
      usedBy: [{ version: 0, metric: 'request-count' }],
    });
    expect(fixture.exchanges[0].request.params[0].value).toContain(`[${fixture.elapsedTimeSeconds[0]}s]`);
    const iter8 = JSON.parse(await readFile(path.join(dir, 'fixtures/iter8.fixture.json'), 'utf8'));
    // File templates are named relative to the fixture, so the two can move together.
    expect(iter8.template).toBe('../kserve-iter8-style.tpl');
  });

  it('never writes the bearer token, in any encoding', async () => {
    for (const name of await readdir(path.join(dir, 'fixtures'))) {
      const text = await readFile(path.join(dir, 'fixtures', name), 'utf8');
      for (const form of [token, Buffer.from(token).toString('base64'), `Bearer ${token}`])
        expect(text, name).not.toContain(form);
      expect(text).not.toMatch(/authorization/i);
    }
  });
});

describe('fixture: templates replay a recorded loop without a backend', () => {
  it('the same metric values, queries and SLO verdicts as the live run, with no token set', async () => {
    const replay = await runCli(['run', 'replay.yaml', '-q', '--results', 'replay.jsonl'], { cwd: dir });
    const [recorded, replayed] = [await loopOf('live.jsonl'), await loopOf('replay.jsonl')];
    expect(replayed.status, replay.stderr).toBe('completed');
    expect(replayed.metrics).toEqual(recorded.metrics);
    expect(replayed.slos).toEqual(recorded.slos);
    expect(replay.code).toBe(live.code);
    // And the live values were right in the first place.
    for (const [version, revision] of [candidate, baseline].entries()) {
      const expected = expectedKserveMetrics(revision, percentiles);
      expect(replayed.metrics[version]['kserve-prometheus/latency-mean'].value).toBeCloseTo(
        expected['latency-mean']!,
        9,
      );
      expect(replayed.metrics[version]['iter8/latency-p90'].value).toBeCloseTo(expected['latency-p90']!, 9);
    }
    expect(replayed.slos.map((s: { status: string }) => s.status)).toEqual([
      'pass',
      'pass',
      'pass',
      'fail',
      'fail',
      expect.stringMatching(/pass|fail/),
    ]);
  });

  it('a request the fixture does not hold has no value, and the reason shows the closest recorded one', async () => {
    const text = experiment('changed', replayTemplates).replace(
      `revision_name: ${candidate.revisionName}`,
      'revision_name: sklearn-iris-predictor-default-00003',
    );
    await writeFile(path.join(dir, 'changed.yaml'), text);
    const validate = await runCli(['validate', 'changed.yaml'], { cwd: dir });
    expect(validate.stderr).toMatch(/changed\.yaml:\d+:\d+.*request\(s\) are not in the fixture/);
    await runCli(['run', 'changed.yaml', '-q', '--results', 'changed.jsonl'], { cwd: dir });
    const loop = await loopOf('changed.jsonl');
    const mean = loop.metrics[0]['kserve-prometheus/latency-mean'];
    expect(mean.value).toBeNull();
    expect(mean.reason).toContain(
      'fixtures/kserve-prometheus.fixture.json: no recorded response for GET /api/v1/query query="sum(last_over_time(revision_app_request_latencies_sum{',
    );
    expect(mean.reason).toMatch(
      /; closest recorded: GET \/api\/v1\/query query=".*revision_name=\\"sklearn-iris-predictor-default-0000[12]/,
    );
    expect(mean.reason).toMatch(/differs at character \d+: ".*00003.*" here, ".*0000[12].*" recorded/);
    // The other version was recorded and still has its values.
    expect(loop.metrics[1]['kserve-prometheus/latency-mean'].value).toBeGreaterThan(0);
  });
});

describe('fixture: references are checked when the experiment is validated', () => {
  /** Diagnostics of an experiment whose kserve-prometheus provider replays `fixtureText` (none: no file). */
  async function diagnosticsWith(fixtureText: string | undefined) {
    const name = `bad-${Math.random().toString(36).slice(2)}.fixture.json`;
    if (fixtureText !== undefined) await writeFile(path.join(dir, name), fixtureText);
    const file = `${name}.yaml`;
    await writeFile(
      path.join(dir, file),
      experiment(
        'bad',
        `{kserve-prometheus: "fixture:${name}", iter8: {fixture: fixtures/iter8.fixture.json}}`,
      ),
    );
    const loaded = await loadExperiment({ file, cwd: dir, env: {} });
    return {
      name,
      errors: loaded.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => `${d.file}:${d.line}:${d.column} ${d.path}: ${d.message} (hint: ${d.hint ?? ''})`),
    };
  }

  const recorded = () => readFile(path.join(dir, 'fixtures/kserve-prometheus.fixture.json'), 'utf8');
  const at = (name: string) =>
    `${name}.yaml:10:40 spec.tasks[0].with.templates.kserve-prometheus: template kserve-prometheus: `;

  it('a missing file', async () => {
    const { name, errors } = await diagnosticsWith(undefined);
    expect(errors).toEqual([
      `${at(name)}cannot read fixture file ${name}: ENOENT (hint: fixture paths are relative to the experiment file; record one with \`canary run FILE --record-fixtures DIR\`)`,
    ]);
  });

  it('a truncated file: where the JSON breaks', async () => {
    const text = (await recorded()).slice(0, 200);
    const { name, errors } = await diagnosticsWith(text);
    const lines = text.split('\n');
    expect(errors).toEqual([
      expect.stringContaining(
        `${at(name)}fixture file ${name}:${lines.length}:${lines.at(-1)!.length + 1} is not valid JSON: `,
      ),
    ]);
  });

  it('not a fixture, and a fixture of a newer format', async () => {
    const notFixture = await diagnosticsWith('{"status": "success"}');
    expect(notFixture.errors).toEqual([
      expect.stringContaining(
        `${at(notFixture.name)}${notFixture.name} is not a canary fixture (no "format": "canary.fixture/v1")`,
      ),
    ]);
    const newer = await diagnosticsWith((await recorded()).replace('canary.fixture/v1', 'canary.fixture/v2'));
    expect(newer.errors).toEqual([
      `${at(newer.name)}fixture file ${newer.name} has format "canary.fixture/v2"; this canary reads canary.fixture/v1 (hint: upgrade canary, or re-record the fixture with this version)`,
    ]);
  });

  it('a damaged exchange, and a response with both json and text', async () => {
    const damaged = JSON.parse(await recorded());
    delete damaged.exchanges[3].response;
    const missing = await diagnosticsWith(JSON.stringify(damaged, null, 2));
    expect(missing.errors).toEqual([
      expect.stringContaining(
        `${at(missing.name)}fixture file ${missing.name} is damaged at exchanges[3]: missing required key "response" (hint: re-record it with \`canary run FILE --record-fixtures DIR\`)`,
      ),
    ]);
    const both = JSON.parse(await recorded());
    both.exchanges[1].response.text = 'also';
    const twice = await diagnosticsWith(JSON.stringify(both));
    expect(twice.errors).toEqual([
      expect.stringContaining('is damaged at exchanges[1].response: it needs exactly one of json and text'),
    ]);
  });

  it('a recorded template reference that no longer resolves', async () => {
    const { name, errors } = await diagnosticsWith(
      (await recorded()).replace('builtin:kserve-prometheus', 'builtin:kserve-prom'),
    );
    expect(errors).toEqual([
      expect.stringContaining(
        `${name}.yaml:10:40 spec.tasks[0].with.templates.kserve-prometheus: template kserve-prometheus (recorded in ${name}): no builtin template "kserve-prom"`,
      ),
    ]);
  });

  it('the CLI prints the position and exits 3, for validate and for run', async () => {
    await writeFile(
      path.join(dir, 'missing.yaml'),
      experiment('missing', '{kserve-prometheus: "fixture:nowhere.fixture.json", iter8: builtin:prometheus}'),
    );
    const validate = await runCli(['validate', 'missing.yaml'], { cwd: dir });
    expect(validate.code).toBe(3);
    expect(validate.stderr).toContain(
      'missing.yaml:10:40  error  spec.tasks[0].with.templates.kserve-prometheus: template kserve-prometheus: cannot read fixture file nowhere.fixture.json: ENOENT',
    );
    const run = await runCli(['run', 'missing.yaml', '-q', '--results', 'missing.jsonl'], { cwd: dir });
    expect(run.code).toBe(3);
  });
});

describe('the committed example', () => {
  it('experiments/sklearn-fixture.yaml runs offline from its committed fixture', async () => {
    const example = path.resolve(here, '../../experiments/sklearn-fixture.yaml');
    const result = await runCli(['run', example, '-q', '--results', 'example.jsonl'], { cwd: dir });
    const loop = await loopOf('example.jsonl');
    expect(loop.status, result.stderr).toBe('completed');
    expect(Object.values(loop.metrics[0]).every((m) => (m as { value: unknown }).value !== null)).toBe(true);
    expect(loop.slos.map((s: { version: number; status: string }) => `${s.version} ${s.status}`)).toEqual([
      '0 pass',
      '0 pass',
      '0 pass',
      '1 fail',
      '1 fail',
      '1 fail',
    ]);
    expect(result.code).toBe(1);
  });
});
