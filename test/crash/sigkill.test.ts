import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { readResults } from '../../src/results/result-file.js';
import { binary, runCli } from '../cli/cli-harness.js';
import { withTempDir } from '../engine/helpers.js';
import { seededRandom } from './seeded-random.js';

/**
 * Kill a looping run with SIGKILL at random points, 200 times in all, and check after every kill that
 * the result file reads with the normal reader, loop numbers stay contiguous across restarts, and no
 * loop that was on disk is lost (only the loop in flight may be missing). Loops run back to back
 * (no schedule, `--loops` large), so a kill lands in startup, in a task, or in the middle of a write.
 *
 * Every `cliEvery`-th kill hits the built binary (`canary run`); the others hit looping-writer.mjs,
 * the same writer, lock, observer and engine without the CLI's second of start-up CPU. The two run
 * different experiments, so switching between them also starts new segments (headers) mid-file.
 */
const kills = 200;
const workers = 4;
const cliEvery = 8;
/** Every n-th restart of a worker uses --fresh: the old file must be archived whole. */
const freshEvery = 10;
const loopingWriter = path.join(path.dirname(fileURLToPath(import.meta.url)), 'looping-writer.mjs');

const plugin = `export default {
  description: 'records a metric',
  inputSchema: { type: 'object' },
  produces: () => ['fixed/*'],
  async run(input, context) {
    context.metrics.record(0, 'fixed/latency', 5 + (Date.now() % 7));
  },
};
`;
const experiment = `apiVersion: canary/v1
kind: Experiment
metadata: {name: crash}
spec:
  plugins: {fixed: ./fixed.js}
  tasks:
    # 4 KiB of output per loop, kept in the record: large records make torn writes likely.
    - run: "printf '%4000s' ok"
    - task: fixed
    - task: assess
      with: {SLOs: {upper: {fixed/latency: 100}}}
`;

async function sizeOf(file: string): Promise<number> {
  return (await stat(file).catch(() => ({ size: -1 }))).size;
}

interface KillOutcome {
  /** The process ended by itself before the kill: it must not have. */
  exitedEarly?: { code: number | null; stderr: string };
  /** What it printed before the kill (its warnings on opening the file). */
  stderr: string;
}

/** Start a run; kill it after a random delay, or a random moment after it first wrote to the file. */
async function runAndKill(
  dir: string,
  file: string,
  options: { fresh: boolean; cli: boolean },
  next: () => number,
): Promise<KillOutcome> {
  const sizeBefore = await sizeOf(file);
  const fresh = options.fresh ? ['--fresh'] : [];
  const args = options.cli
    ? [binary, 'run', 'crash.yaml', '-q', '--no-assert', '--loops', '1000000', '--results', file, ...fresh]
    : [loopingWriter, file, ...fresh];
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  void exit.then(() => (ended = true));
  if (next() < 0.25) {
    // During startup: loading, locking, truncating a torn line, archiving, the header.
    await sleep(next() * (options.cli ? 2000 : 400));
  } else {
    for (let i = 0; i < 2000 && !ended && (await sizeOf(file)) === sizeBefore; i++) await sleep(3);
    await sleep(next() * 80);
  }
  child.kill('SIGKILL');
  const { code, signal } = await exit;
  return signal === 'SIGKILL' ? { stderr } : { exitedEarly: { code, stderr }, stderr };
}

async function archivesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => /^crash\.\d{4}-.*\.jsonl$/.test(n)).sort();
}

async function worker(
  index: number,
  root: string,
  rounds: number,
): Promise<{ loops: number; archives: number; torn: number }> {
  const dir = path.join(root, `w${index}`);
  const { mkdir, copyFile } = await import('node:fs/promises');
  await mkdir(dir);
  await copyFile(path.join(root, 'crash.yaml'), path.join(dir, 'crash.yaml'));
  await copyFile(path.join(root, 'fixed.js'), path.join(dir, 'fixed.js'));
  const file = path.join(dir, 'crash.jsonl');
  const seed = 1000 + index;
  const next = seededRandom(seed);
  let known = 0; // loops known to be on disk
  let archivedLoops = 0;
  // Torn last lines: each one a reader sees is dropped by a later writer (no loop lost: checked
  // below) or archived whole by --fresh; no writer may drop a line the reader did not see as torn.
  let torn = 0;
  let tornPending = false;
  let tornResolved = 0;
  for (let round = 1; round <= rounds; round++) {
    const where = `worker ${index} (seed ${seed}), round ${round}${round % cliEvery === 0 ? ' (cli)' : ''}`;
    const fresh = round % freshEvery === 0;
    const cli = round % cliEvery === 0;
    const before = fresh ? await readFile(file).catch(() => undefined) : undefined;
    const archivesBefore = await archivesIn(dir);
    const outcome = await runAndKill(dir, file, { fresh, cli }, next);
    expect(outcome.exitedEarly, `${where}: the run ended by itself`).toBeUndefined();
    if (outcome.stderr.includes('dropped a torn last line')) {
      expect(tornPending, `${where}: dropped a line no reader saw as torn`).toBe(true);
    }

    const archives = await archivesIn(dir);
    if (archives.length > archivesBefore.length) {
      // --fresh renamed the file before the kill: the archive is the file exactly as it was.
      expect(archives.length, where).toBe(archivesBefore.length + 1);
      const archive = archives.find((a) => !archivesBefore.includes(a))!;
      // Buffer.equals: a deep toEqual over megabytes takes minutes.
      const archived = await readFile(path.join(dir, archive));
      expect(before !== undefined && archived.equals(before), `${where}: archive differs`).toBe(true);
      archivedLoops += known;
      known = 0;
      if (tornPending) tornResolved++; // kept whole in the archive, torn line and all
      tornPending = false;
    }
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (!exists) {
      expect(known, `${where}: the file vanished with loops in it`).toBe(0);
      continue;
    }
    const size = await sizeOf(file);
    if (size === 0) continue; // killed between creating the file and its first write
    const history = await readResults(file).catch((error: unknown) => {
      throw new Error(`${where}: the normal reader failed: ${String(error)}`);
    });
    const numbers = history.loops.map((l) => l.loop);
    expect(numbers, `${where}: contiguous loop numbers`).toEqual(numbers.map((_, i) => i + 1));
    expect(numbers.length, `${where}: loops already on disk were lost`).toBeGreaterThanOrEqual(known);
    if (numbers.length > 0) expect(history.header, `${where}: a header before the loops`).toBeDefined();
    known = numbers.length;
    const tornNow = history.warnings.some((w) => w.includes('torn'));
    if (tornNow && !tornPending) torn++;
    // Gone: the writer that opened the file dropped it (killed, maybe, before it could say so).
    if (tornPending && !tornNow) tornResolved++;
    tornPending = tornNow;
  }
  // A clean run after all the kills: it takes over the stale lock, continues numbering, and ends.
  const final = await runCli(['run', 'crash.yaml', '-q', '--no-assert', '--loops', '3', '--results', file], {
    cwd: dir,
  });
  expect(final.code, final.stderr).toBe(0);
  if (tornPending) {
    expect(final.stderr).toContain('dropped a torn last line');
    tornResolved++;
  }
  expect(tornResolved, `worker ${index}: torn lines seen vs. dropped or archived`).toBe(torn);
  const history = await readResults(file);
  expect(history.loops.map((l) => l.loop)).toEqual(Array.from({ length: known + 3 }, (_, i) => i + 1));
  expect(history.end).toMatchObject({ lastLoop: known + 3, loops: 3 });
  expect(history.warnings).toEqual([]);
  // Each segment's header continues the numbering of the one before.
  let loopsSoFar = 0;
  for (const line of (await readFile(file, 'utf8')).split('\n').filter(Boolean)) {
    const record = JSON.parse(line) as { kind: string; firstLoop?: number };
    if (record.kind === 'header') expect(record.firstLoop).toBe(loopsSoFar + 1);
    if (record.kind === 'loop') loopsSoFar++;
  }
  expect(await readdir(dir)).not.toContain('crash.jsonl.lock');
  return { loops: known + archivedLoops, archives: (await archivesIn(dir)).length, torn };
}

describe('SIGKILL at random points', () => {
  it(`${kills} kills over ${workers} result files: every file stays readable and contiguous`, async () => {
    await withTempDir(async (root) => {
      await writeFile(path.join(root, 'crash.yaml'), experiment);
      await writeFile(path.join(root, 'fixed.js'), plugin);
      const results = await Promise.all(
        Array.from({ length: workers }, (_, i) => worker(i, root, kills / workers)),
      );
      // The kills must have landed after loops were written, not only during startup.
      const loops = results.reduce((sum, r) => sum + r.loops, 0);
      expect(loops).toBeGreaterThan(kills);
      expect(results.every((r) => r.archives >= 1)).toBe(true);
      const torn = results.reduce((sum, r) => sum + r.torn, 0);
      // Each worker asserted that its torn lines were all dropped or archived, none lost or made up.
      console.info(`${kills} kills: ${loops} loops on disk, ${torn} torn last lines, each recovered`);
    });
  }, 600_000);
});
