import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultObserver } from '../../src/cli/result-observer.js';
import { runExperiment } from '../../src/engine/run-experiment.js';
import { readResults, ResultWriter } from '../../src/results/result-file.js';
import type { ResultRecord } from '../../src/results/records.js';
import { makePlan, noop, registryOf, testExperiment, withTempDir } from '../engine/helpers.js';
import { experiment, hash, header, jsonl, loopRecord } from './fixtures.js';

async function kinds(file: string): Promise<Array<[string, number | undefined]>> {
  const text = await readFile(file, 'utf8');
  return text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as ResultRecord)
    .map((r) => [r.kind, r.kind === 'loop' ? r.loop : r.kind === 'header' ? r.firstLoop : r.lastLoop]);
}

async function run(
  file: string,
  experimentHash: string,
  loops: number,
  signal?: AbortSignal,
  endReason?: 'terminated',
) {
  const writer = await ResultWriter.open(file);
  const observer = new ResultObserver(writer, testExperiment(), experimentHash, undefined);
  if (endReason) observer.setEndReason(endReason);
  try {
    const outcome = await runExperiment({
      plan: makePlan([{ id: 'a' }]),
      registry: registryOf({ a: noop }),
      experimentHash,
      experimentDir: process.cwd(),
      firstLoop: writer.lastLoop + 1,
      loops,
      signal: signal ?? new AbortController().signal,
      observers: [observer],
    });
    return { observer, outcome };
  } finally {
    await writer.close();
  }
}

describe('ResultObserver with the engine', () => {
  it('continues a file: no second header for the same experiment, loop numbers go on', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'r.jsonl');
      const first = await run(file, 'sha256:same', 2);
      expect(first.observer.header).toBeDefined();
      const second = await run(file, 'sha256:same', 1);
      expect(second.observer.header).toBeUndefined();
      expect(second.outcome.loops.map((l) => l.loop)).toEqual([3]);
      expect(await kinds(file)).toEqual([
        ['header', 1],
        ['loop', 1],
        ['loop', 2],
        ['end', 2],
        ['loop', 3],
        ['end', 3],
      ]);
      const history = await readResults(file);
      expect(history.loops.map((l) => l.loop)).toEqual([1, 2, 3]);
      expect(history.end).toMatchObject({ loops: 1, lastLoop: 3 });
    });
  });

  it('writes a new header when the experiment changed', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'r.jsonl');
      await run(file, 'sha256:one', 1);
      const second = await run(file, 'sha256:two', 1);
      expect(second.observer.header).toMatchObject({ experimentHash: 'sha256:two', firstLoop: 2 });
      expect(await kinds(file)).toEqual([
        ['header', 1],
        ['loop', 1],
        ['end', 1],
        ['header', 2],
        ['loop', 2],
        ['end', 2],
      ]);
    });
  });

  it('records SIGTERM as terminated rather than interrupted', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'r.jsonl');
      const controller = new AbortController();
      controller.abort();
      const { outcome, observer } = await run(file, 'sha256:t', 3, controller.signal, 'terminated');
      expect(outcome.reason).toBe('interrupted');
      expect(observer.end).toMatchObject({ reason: 'terminated', loops: 0, lastLoop: 0 });
      expect(await kinds(file)).toEqual([
        ['header', 1],
        ['end', 0],
      ]);
    });
  });

  it('continues after a torn line left by a crash', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'r.jsonl');
      await writeFile(file, jsonl(header(), loopRecord(1)) + JSON.stringify(loopRecord(2)).slice(0, 30));
      const writer = await ResultWriter.open(file);
      expect(writer.warnings[0]).toMatch(/dropped a torn last line/);
      const observer = new ResultObserver(writer, experiment(), hash, 'x.yaml');
      await runExperiment({
        plan: makePlan([{ id: 'a' }]),
        registry: registryOf({ a: noop }),
        experimentHash: hash,
        experimentDir: process.cwd(),
        firstLoop: writer.lastLoop + 1,
        signal: new AbortController().signal,
        observers: [observer],
      });
      const history = await readResults(file);
      expect(history.warnings).toEqual([]);
      expect(history.loops.map((l) => l.loop)).toEqual([1, 2]);
      expect(history.end).toMatchObject({ lastLoop: 2, reason: 'done' });
    });
  });
});
