import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { valuesFromSetArguments } from '../../src/config/set-values.js';
import { runLoop } from '../../src/engine/run-loop.js';
import { launchFromCli } from '../../src/k8s/launch-group.js';
import type { Manifest } from '../../src/k8s/manifests.js';

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
beforeAll(async () => {
  server = createServer((_request, response) => response.end('ok'));
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

  it.each(commands.filter((c) => !usesGrpc(c.sets)))(
    'validates and launches: $line',
    async ({ sets, namespace }) => {
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
    },
  );

  // canary has no grpc task: each of these is one clear error that says what to use.
  it.each(commands.filter((c) => usesGrpc(c.sets)))(
    'names the grpc task as missing: $line',
    async ({ sets }) => {
      const loaded = await loadExperiment({
        cwd: process.cwd(),
        values: valuesFromSetArguments(sets, []),
        env,
      });
      const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.some((d) => d.message === 'unknown task "grpc"' && d.hint?.includes('ghz'))).toBe(true);
    },
  );

  // Those without a ready task need no cluster: they run here, against a loopback server.
  it.each(commands.filter((c) => !usesGrpc(c.sets) && !c.sets.some((s) => s.includes('ready'))))(
    'runs on loopback: $line',
    async ({ sets }) => {
      const local = sets.map((s) => (s.startsWith('http.url=') ? `http.url=${url}` : s));
      const loaded = await loadExperiment({
        cwd: process.cwd(),
        values: valuesFromSetArguments(local, []),
        env,
      });
      const record = await runLoop({
        plan: loaded.plan!,
        registry: loaded.registry,
        loop: 1,
        experimentHash: 'sha256:x',
        experimentDir: process.cwd(),
        experimentStart: new Date(),
        env,
        values: {},
        signal: new AbortController().signal,
        observers: [],
      });
      expect(record.tasks.map((t) => [t.task, t.status])).toEqual([['http', 'completed']]);
      expect(record.metrics[0]?.['http/request-count']?.value).toBeGreaterThan(0);
    },
  );
});
