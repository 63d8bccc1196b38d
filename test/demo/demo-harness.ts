import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { runCli, type CliResult } from '../cli/cli-harness.js';

/** A result record as parsed JSON, read loosely: the tests index into it by metric name. */
type ResultRecord = ReturnType<typeof JSON.parse>;

export interface DemoWorkspace {
  /** `canary <args>` run by the built CLI in the workspace. */
  run(args: string[]): Promise<CliResult>;
  /** A file the demo wrote into the workspace. */
  read(name: string): Promise<string>;
  /** The last loop record of a results file in the workspace. */
  lastLoop(results: string): Promise<ResultRecord>;
}

/** A temp directory for this test file's demo runs, made before all tests and removed after. */
export function demoWorkspace(prefix: string): DemoWorkspace {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const read = (name: string) => readFile(path.join(dir, name), 'utf8');
  return {
    run: (args) => runCli(args, { cwd: dir }),
    read,
    async lastLoop(results) {
      const records = (await read(results))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      return records.filter((r) => r.kind === 'loop').at(-1);
    },
  };
}

/** The loop's failed SLOs as "version metric". */
export function failedSlos(loop: ResultRecord): string[] {
  return loop.slos
    .filter((s: { status: string }) => s.status === 'fail')
    .map((s: { version: number; metric: string }) => `${s.version} ${s.metric}`);
}
