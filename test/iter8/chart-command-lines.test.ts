import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { valuesFromSetArguments } from '../../src/config/set-values.js';
import { runLoop } from '../../src/engine/run-loop.js';
import { launchFromCli } from '../../src/k8s/launch-group.js';
import type { Manifest } from '../../src/k8s/manifests.js';
import { greeterProto, serveFiles, startGreeter, type GreeterServer } from '../tasks/grpc/greeter-server.js';

/** Iter8 v0.14.10's documented chart command lines (chart-command-lines.txt), as canary reads them. */
const text = readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'chart-command-lines.txt'),
  'utf8',
);
const commands = text
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'))
  .map((line) => ({ line, ...argumentsOf(splitShellWords(line)) }));

/** POSIX shell words: '...' literal, "..." (no expansions in these lines), \x outside quotes. */
function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '\\') {
      word = (word ?? '') + line[++i]!;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

function argumentsOf(words: string[]): { sets: string[]; namespace?: string } {
  const sets: string[] = [];
  let namespace: string | undefined;
  words.forEach((word, i) => {
    if (word === '--set') sets.push(words[i + 1]!);
    if (word === '-n') namespace = words[i + 1]!;
  });
  return namespace !== undefined ? { sets, namespace } : { sets };
}

const usesGrpc = (sets: string[]) => sets.some((s) => s.startsWith('grpc.'));
const env = { CANARY_OFFLINE: '1' };

let server: Server;
let url: string;
let httpRequests = 0;
beforeAll(async () => {
  server = createServer((_request, response) => {
    httpRequests++;
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/get`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('Iter8 chart command lines', () => {
  it('the file holds the 10 documented command lines', () => {
    expect(commands).toHaveLength(10);
    for (const command of commands) expect(command.sets.length).toBeGreaterThan(1);
  });

  it.each(commands)('validates and launches: $line', async ({ sets, namespace }) => {
    const values = valuesFromSetArguments(sets, []);
    const loaded = await loadExperiment({ cwd: process.cwd(), values, env });
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const out: string[] = [];
    await launchFromCli({
      flags: {
        set: sets,
        'set-string': [],
        values: [],
        group: 'default',
        'dry-run': true,
        ...(namespace !== undefined ? { namespace } : {}),
      },
      cwd: process.cwd(),
      env,
      output: { log: (t) => out.push(t), warn: () => undefined },
    });
    const kinds = parseAllDocuments(out.join('\n')).map((d) => (d.toJS() as Manifest).kind);
    expect(kinds).toContain(sets.includes('runner=cronjob') ? 'CronJob' : 'Job');
  });

  // Those without a ready task need no cluster: they run here, against loopback servers.
  it.each(commands.filter((c) => !usesGrpc(c.sets) && !needsCluster(c.sets)))(
    'runs on loopback: $line',
    async ({ sets }) => {
      const local = sets.map((s) => (s.startsWith('http.url=') ? `http.url=${url}` : s));
      const record = await runValues(local, process.cwd(), env);
      expect(record.tasks.map((t) => [t.task, t.status])).toEqual([['http', 'completed']]);
      expect(record.metrics[0]?.['http/request-count']?.value).toBeGreaterThan(0);
    },
  );

  // The grpc lines' host and URLs (a cluster Service, GitHub, a gist) pointed at loopback: each makes
  // ghz's default 200 calls, and the SLOs Iter8 set hold for a Greeter that answers at once.
  it.each(commands.filter((c) => usesGrpc(c.sets) && !needsCluster(c.sets)))(
    'runs on loopback against a real Greeter: $line',
    async ({ sets }) => {
      await withGrpcLoopback(async (local, greeter, dir) => {
        const record = await runValues(sets.map(local), dir, { CANARY_CACHE_DIR: path.join(dir, 'cache') });
        const assessed = sets.some((s) => s.includes('assess'));
        expect(record.tasks.map((t) => [t.task, t.status])).toEqual([
          ['grpc', 'completed'],
          ...(assessed ? [['assess', 'completed']] : []),
        ]);
        expect(greeter.calls).toHaveLength(200);
        expect(record.metrics[0]?.['grpc/request-count']?.value).toBe(200);
        expect(record.metrics[0]?.['grpc/error-count']?.value).toBe(0);
        if (sets.some((s) => s.startsWith('grpc.dataURL='))) {
          // name.json (a stand-in for Iter8's gist) is both the message and the metadata.
          expect(greeter.calls.every((c) => c.name === 'frodo' && c.metadata['name'] === 'frodo')).toBe(true);
        }
        if (assessed) {
          expect(record.slos.map((s) => [s.metric, s.status])).toEqual([
            ['grpc/error-rate', 'pass'],
            ['grpc/latency/mean', 'pass'],
            ['grpc/latency/p90', 'pass'],
            ['grpc/latency/p97.5', 'pass'],
          ]);
        }
      });
    },
  );
});

describe("the chart's warmup values keep their meaning: warmup calls made first, not measured", () => {
  it('grpc.warmupNumRequests=10 with grpc.total=20: 30 calls, 20 measured', async () => {
    await withGrpcLoopback(async (local, greeter, dir) => {
      const sets = [
        'tasks={grpc}',
        'grpc.host=hello.default:50051',
        'grpc.call=helloworld.Greeter.SayHello',
        `grpc.protoURL=${PROTO_URL}`,
        'grpc.total=20',
        'grpc.warmupNumRequests=10',
      ];
      const record = await runValues(sets.map(local), dir, { CANARY_CACHE_DIR: path.join(dir, 'cache') });
      expect(greeter.calls).toHaveLength(30);
      expect(record.metrics[0]?.['grpc/request-count']?.value).toBe(20);
    });
  });

  it('http.warmupNumRequests=10 with http.numRequests=20: 30 requests and the initial ones, 20 measured', async () => {
    const before = httpRequests;
    const sets = ['tasks={http}', `http.url=${url}`, 'http.numRequests=20', 'http.warmupNumRequests=10'];
    const record = await runValues(sets, process.cwd(), env);
    // Iter8's allowInitialErrors default (false): one unmeasured request per connection (4) first, as fortio sent.
    expect(httpRequests - before).toBe(34);
    expect(record.metrics[0]?.['http/request-count']?.value).toBe(20);
  });
});

const needsCluster = (sets: string[]) => sets.some((s) => s.includes('ready'));
const PROTO_URL =
  'https://raw.githubusercontent.com/grpc/grpc-go/master/examples/helloworld/helloworld/helloworld.proto';

/** Validates the values (no errors) and runs loop 1 of them in-process. */
async function runValues(sets: string[], dir: string, runEnv: Record<string, string>) {
  const loaded = await loadExperiment({ cwd: dir, values: valuesFromSetArguments(sets, []), env: runEnv });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return runLoop({
    plan: loaded.plan!,
    registry: loaded.registry,
    loop: 1,
    experimentHash: 'sha256:x',
    experimentDir: dir,
    experimentStart: new Date(),
    env: runEnv,
    values: {},
    signal: new AbortController().signal,
    observers: [],
  });
}

/**
 * A Greeter and a file server on loopback, a temporary directory (for the URL cache), and a rewrite of
 * `--set` arguments that points grpc.host and the grpc URLs at them.
 */
async function withGrpcLoopback(
  use: (local: (set: string) => string, greeter: GreeterServer, dir: string) => Promise<void>,
): Promise<void> {
  const greeter = await startGreeter();
  const files = await serveFiles({
    '/helloworld.proto': await readFile(greeterProto, 'utf8'),
    '/name.json': JSON.stringify({ name: 'frodo' }),
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'canary-iter8-grpc-'));
  const local = (set: string) => {
    const [key, value] = [set.slice(0, set.indexOf('=')), set.slice(set.indexOf('=') + 1)];
    if (key === 'grpc.host') return `grpc.host=${greeter.host}`;
    if (/^grpc\.(proto|data|metadata)URL$/.test(key))
      return `${key}=${files.url}/${path.posix.basename(value)}`;
    return set;
  };
  try {
    await use(local, greeter, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await files.close();
    await greeter.close();
  }
}
