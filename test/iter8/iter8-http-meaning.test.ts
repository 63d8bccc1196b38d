import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { migrateIter8 } from '../../src/config/migrate-iter8.js';
import { httpTask, type HttpInput } from '../../src/tasks/http/http.js';
import { runOneLoop } from '../support/run-one-loop.js';
import { startServer, type LoopbackServer, type Responder } from '../tasks/http/loopback-server.js';

/**
 * What an http task from Iter8 means: Iter8's allowInitialErrors default, its named endpoints
 * map, and the chart's `warmup: true` task, against a real loopback server.
 */
const own = path.join(path.dirname(fileURLToPath(import.meta.url)), 'own');
let dir: string;
let server: LoopbackServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'canary-iter8-http-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

const failFirst: Responder = (n, _request, response) => {
  response.writeHead(n === 1 ? 503 : 200); // n counts from 1
  response.end();
};

/** Copies an Iter8-shaped fixture into the temp dir with the server's URL filled in. */
async function fixture(name: string, respond?: Responder): Promise<string> {
  server = await startServer(respond);
  const text = await readFile(path.join(own, name), 'utf8');
  await writeFile(path.join(dir, name), text.replaceAll('{{ .URL }}', `${server.url.replace(/\/?$/, '/')}`));
  return name;
}

function canaryFile(tasks: string): string {
  return `apiVersion: canary/v1\nkind: Experiment\nmetadata:\n  name: e\nspec:\n  tasks:\n${tasks}`;
}

describe('allowInitialErrors: Iter8 files get Iter8 default, canary/v1 files keep canary default', () => {
  it('an Iter8 file without the key fails on a bad first answer', async () => {
    const file = await fixture('initial-errors.yaml', failFirst);
    const record = await runOneLoop(dir, { file });
    expect(record.tasks[0]?.status).toBe('error');
    expect(record.tasks[0]?.message).toContain('a first request got status 503');
  });

  it('the same task in a canary/v1 file counts the error and completes', async () => {
    server = await startServer(failFirst);
    await writeFile(
      path.join(dir, 'e.yaml'),
      canaryFile(
        `  - task: http\n    with:\n      url: ${server.url}\n      numRequests: 4\n      connections: 1\n`,
      ),
    );
    const record = await runOneLoop(dir);
    expect(record.tasks[0]?.status).toBe('completed');
    expect(record.metrics[0]?.['http/error-count']?.value).toBe(1);
    expect(server.seen).toHaveLength(4);
  });
});

describe("endpoints: Iter8's named form in Iter8 files, whatever the endpoints carry", () => {
  it('endpoints with only a url are measured as named endpoints, version 0', async () => {
    const file = await fixture('named-url-only.yaml');
    const record = await runOneLoop(dir, { file });
    expect(record.tasks[0]?.status).toBe('completed');
    expect(record.metrics).toHaveLength(1);
    expect(record.metrics[0]?.['http-a/request-count']?.value).toBe(3);
    expect(record.metrics[0]?.['http-b/request-count']?.value).toBe(3);
    expect(record.metrics[0]?.['http/request-count']).toBeUndefined();
  });

  it('the same map in a canary/v1 file is one endpoint per version', async () => {
    server = await startServer();
    await writeFile(
      path.join(dir, 'e.yaml'),
      canaryFile(
        `  - task: http\n    with:\n      numRequests: 3\n      connections: 1\n      endpoints:\n` +
          `        a: {url: "${server.url}/a"}\n        b: {url: "${server.url}/b"}\n`,
      ),
    );
    const record = await runOneLoop(dir);
    expect(record.metrics.map((m) => m['http/request-count']?.value)).toEqual([3, 3]);
  });
});

describe("the chart's warmup rendered into an Iter8 file", () => {
  it('warmup: true loads and records nothing; the main task ignores its leftover warmupNumRequests', async () => {
    const file = await fixture('chart-warmup.yaml');
    const loaded = await loadExperiment({ file, cwd: dir });
    const warnings = loaded.diagnostics.filter((d) => d.severity === 'warning');
    expect(warnings.map((d) => `${d.line} ${d.message}`)).toEqual([
      expect.stringMatching(/^18 ignored, as Iter8's http task ignored it/),
    ]);
    const record = await runOneLoop(dir, { file });
    expect(record.tasks.map((t) => t.status)).toEqual(['completed', 'completed', 'completed']);
    // Each task: one initial request on its one connection (Iter8's allowInitialErrors), then its load.
    expect(server!.seen).toHaveLength(1 + 5 + 1 + 10);
    expect(record.metrics[0]?.['http/request-count']?.value).toBe(10);
    expect(record.slos.map((s) => s.status)).toEqual(['pass']);
  });
});

describe('migrate writes out the meaning', () => {
  it.each(['initial-errors.yaml', 'named-url-only.yaml', 'chart-warmup.yaml'])(
    '%s: the migrated file loads to the same tasks',
    async (name) => {
      const file = await fixture(name);
      const migrated = migrateIter8(await readFile(path.join(dir, file), 'utf8'), 'e');
      expect(migrated.ok).toBe(true);
      if (!migrated.ok) return;
      expect(migrated.text).toContain('allowInitialErrors: false');
      expect(migrated.text.includes('endpointsAre: named')).toBe(name === 'named-url-only.yaml');
      expect(migrated.text).not.toContain('warmupNumRequests:');
      await writeFile(path.join(dir, 'migrated.yaml'), migrated.text);
      const before = await loadExperiment({ file, cwd: dir, name: 'e' });
      const after = await loadExperiment({ file: 'migrated.yaml', cwd: dir });
      expect(after.diagnostics).toEqual([]);
      expect(after.experiment?.spec.tasks).toEqual(before.experiment?.spec.tasks);
    },
  );
});

describe('endpointsAre in the http task', () => {
  const problems = async (input: HttpInput) =>
    (await httpTask.check!(input, { experimentDir: dir, env: {} })).map(
      (p) => `${p.severity} ${p.path.join('.')}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`,
    );

  it('named: a url beside endpoints is their default; versions is refused', async () => {
    const endpoints = { a: { url: 'http://127.0.0.1:9/a' } };
    expect(await problems({ url: 'http://127.0.0.1:9/', endpoints, endpointsAre: 'named' })).toEqual([]);
    expect(await problems({ endpoints, endpointsAre: 'named', versions: ['a'] })).toEqual([
      'error versions: versions orders per-version endpoints; named endpoints are all version 0 ' +
        '(remove versions, or set endpointsAre: versions)',
    ]);
  });

  it("versions: an endpoint's numRequests is refused instead of making the map named", async () => {
    const endpoints = { a: { url: 'http://127.0.0.1:9/a', numRequests: 5 } };
    expect(await problems({ endpoints, endpointsAre: 'versions' })).toEqual([
      'error endpoints.a.numRequests: numRequests at an endpoint applies to named endpoints only; ' +
        "per-version endpoints share the task's load (move it to the task level, or set endpointsAre: named)",
    ]);
    expect(await problems({ endpoints })).toEqual([]); // the shape rule: named
  });

  it('without endpoints it is an error; with url and per-version endpoints the error says how to pick', async () => {
    expect(await problems({ url: 'http://127.0.0.1:9/', endpointsAre: 'named' })).toEqual([
      'error endpointsAre: endpointsAre says how to read endpoints, but there are none (add endpoints, or remove endpointsAre)',
    ]);
    const both = await problems({
      url: 'http://127.0.0.1:9/',
      endpoints: { a: { url: 'http://127.0.0.1:9/a' } },
      endpointsAre: 'versions',
    });
    expect(both).toEqual([
      expect.stringContaining('error url: give either url or endpoints, not both (for Iter8'),
    ]);
  });
});

describe("grpc endpoints: Iter8 named them, canary's grpc task measures one per version", () => {
  const message = /^Iter8 measured grpc endpoints by name/;

  it('an Iter8 file is warned at its endpoints key; a canary/v1 file is not', async () => {
    const grpc =
      '- task: grpc\n  with:\n    call: helloworld.Greeter.SayHello\n    proto: greeter.proto\n' +
      '    endpoints:\n      a:\n        host: 127.0.0.1:9\n';
    await writeFile(path.join(dir, 'iter8.yaml'), `spec:\n${grpc}`);
    const iter8 = await loadExperiment({ file: 'iter8.yaml', cwd: dir });
    expect(
      iter8.diagnostics.filter((d) => message.test(d.message)).map((d) => `${d.line}:${d.column} ${d.path}`),
    ).toEqual(['6:5 spec[0].with.endpoints']);
    await writeFile(path.join(dir, 'e.yaml'), canaryFile(grpc.replace(/^/gm, '  ')));
    const canary = await loadExperiment({ file: 'e.yaml', cwd: dir });
    expect(canary.diagnostics.filter((d) => message.test(d.message))).toEqual([]);
  });

  it('chart values with grpc.endpoints are warned', async () => {
    const values = {
      tasks: ['grpc'],
      grpc: { call: 'helloworld.Greeter.SayHello', endpoints: { a: { host: '127.0.0.1:9' } } },
    };
    const loaded = await loadExperiment({ cwd: dir, values });
    expect(
      loaded.diagnostics.filter((d) => d.message.startsWith('values.grpc.endpoints: Iter8')),
    ).toHaveLength(1);
  });
});
