import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { valuesFromSetArguments } from '../../src/config/set-values.js';
import { launchFromCli } from '../../src/k8s/launch-group.js';
import { ITER8_SEED_SETS } from '../config/fixtures/iter8-seed.js';

/** Iter8's seed command fetched its template in the pod; here it must launch without network too. */
let cacheDir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), 'canary-seed-cache-'));
  server = createServer((request, response) => {
    if (request.url === '/broken.tpl') response.end('{{ if }}');
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(cacheDir, { recursive: true, force: true });
});

const withTemplate = (url: string) =>
  ITER8_SEED_SETS.map((set) =>
    set.startsWith('custommetrics.templates.kserve-prometheus=')
      ? `custommetrics.templates.kserve-prometheus=${url}`
      : set,
  );

async function validate(sets: readonly string[], env: Record<string, string>) {
  const loaded = await loadExperiment({ cwd: cacheDir, values: valuesFromSetArguments([...sets], []), env });
  return loaded.diagnostics;
}

describe('the seed command offline', () => {
  it('k launch --dry-run: an https template that cannot be fetched is a warning naming the builtin', async () => {
    const out: string[] = [];
    const warnings: string[] = [];
    await launchFromCli({
      flags: { set: [...ITER8_SEED_SETS], 'set-string': [], values: [], group: 'default', 'dry-run': true },
      cwd: cacheDir,
      env: { CANARY_OFFLINE: '1', CANARY_CACHE_DIR: cacheDir },
      output: { log: (text) => out.push(text), warn: (text) => warnings.push(text) },
    });
    expect(out.join('\n')).toContain('kind: CronJob');
    expect(warnings.join('\n')).toContain('cannot be checked here');
    expect(warnings.join('\n')).toContain('builtin:kserve-prometheus');
  });

  it('validate: a template server that does not answer is a warning too', async () => {
    // A port that was free a moment ago: connection refused, as with no network.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const diagnostics = await validate(withTemplate(`http://127.0.0.1:${port}/t.tpl`), {
      CANARY_CACHE_DIR: cacheDir,
    });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(diagnostics.find((d) => d.message.includes('cannot be checked here'))?.severity).toBe('warning');
  });

  it('a template that was fetched and is wrong stays an error; so does one the server says is missing', async () => {
    for (const url of [`${base}/broken.tpl`, `${base}/missing.tpl`]) {
      const diagnostics = await validate(withTemplate(url), { CANARY_CACHE_DIR: cacheDir });
      const errors = diagnostics.filter((d) => d.severity === 'error');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]!.message).toContain('template kserve-prometheus');
    }
  });
});
