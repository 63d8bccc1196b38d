import { execFileSync, spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CanaryError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import { MissingResultsError, readResults, ResultWriter } from '../../src/results/result-file.js';
import { binary, runCli, type CliResult } from '../cli/cli-harness.js';
import { withTempDir } from '../engine/helpers.js';
import { endRecord, header, jsonl, loopRecord } from './fixtures.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** How each damaged file is made (in `dir`, at `file`), and what the readers must say about it. */
interface BadFile {
  name: string;
  make(file: string): Promise<void>;
  /** The whole message, with FILE for the path. */
  message: string;
  hint: RegExp;
}

const utf8Garbage = Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0x0a]);
const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

const badFiles: BadFile[] = [
  {
    name: 'garbage line in the middle',
    make: (f) => writeFile(f, jsonl(header(), loopRecord(1)) + 'hello there\n' + jsonl(loopRecord(2))),
    message: 'FILE:3: damaged line: not JSON: "hello there"',
    hint: /sed -n 3p FILE/,
  },
  {
    name: 'binary line in the middle',
    make: (f) => writeFile(f, Buffer.concat([Buffer.from(jsonl(header(), loopRecord(1))), utf8Garbage])),
    message: 'FILE:3: damaged line: binary data (not UTF-8 text)',
    hint: /repair or delete it/,
  },
  {
    name: 'several damaged lines',
    make: (f) =>
      writeFile(f, jsonl(header(), [1], loopRecord(1), { kind: 'loop' }, loopRecord(2)) + 'null\n'),
    message: 'FILE:2: damaged line: a JSON array, not a record (and 2 more: lines 4, 6)',
    hint: /--fresh/,
  },
  {
    name: 'a record without its fields',
    make: (f) => writeFile(f, jsonl(header(), loopRecord(1), { ...loopRecord(2), loop: 'two' })),
    message: 'FILE:3: damaged line: a loop record without a valid "loop"',
    hint: /sed -n 3p FILE/,
  },
  {
    name: 'a binary file (an image)',
    make: (f) => writeFile(f, png),
    message: 'FILE is not a canary result file (line 1: binary data (not UTF-8 text))',
    hint: /written by `canary run`/,
  },
  {
    name: 'a text file that is not JSON lines, without a newline',
    make: (f) => writeFile(f, 'name,latency\nsvc,12'),
    message: 'FILE is not a canary result file (line 1: not JSON: "name,latency")',
    hint: /written by `canary run`/,
  },
  {
    name: 'a future format version',
    make: (f) => writeFile(f, jsonl({ ...header(), format: 'canary.result/v9' }, loopRecord(1))),
    message: 'FILE:1: result format "canary.result/v9" is not one this canary reads (canary.result/v1)',
    hint: /upgrade canary \(this is \d+\.\d+\.\d+\)/,
  },
  {
    name: 'a future format after an old segment',
    make: (f) =>
      writeFile(
        f,
        jsonl(header(), loopRecord(1), endRecord(1), {
          ...header({ firstLoop: 2 }),
          format: 'canary.result/v9',
        }),
      ),
    message: 'FILE:4: result format "canary.result/v9" is not one this canary reads (canary.result/v1)',
    hint: /newer canary/,
  },
  {
    name: 'a directory',
    make: (f) => mkdir(f),
    message: 'FILE is a directory, not a result file',
    hint: /--results FILE\/experiment\.jsonl/,
  },
  {
    // Opening a FIFO for reading blocks until a writer comes: it must be refused before any open.
    name: 'a named pipe',
    make: async (f) => {
      execFileSync('mkfifo', [f]);
    },
    message: 'FILE is a named pipe (FIFO), not a result file',
    hint: /regular file/,
  },
];

/** The file's bytes; for what is not a file, what it is (reading a FIFO would block). */
async function snapshot(file: string): Promise<Buffer | string> {
  const info = await stat(file);
  return info.isFile() ? readFile(file) : info.isFIFO() ? 'fifo' : info.isDirectory() ? 'directory' : 'other';
}

describe('a result file that cannot be used is refused, with file:line, a hint and exit code 7', () => {
  it.each(badFiles)('$name', async (bad) => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await bad.make(file);
      const before = await snapshot(file);
      const expected = bad.message.replaceAll('FILE', file);

      const readError = await readResults(file).catch((e: unknown) => e);
      expect(readError).toBeInstanceOf(CanaryError);
      expect((readError as CanaryError).message).toBe(expected);
      expect((readError as CanaryError).exitCode).toBe(ExitCode.badResults);
      expect((readError as CanaryError).hints.join('\n').replaceAll(file, 'FILE')).toMatch(bad.hint);

      // The writer refuses the same file, and leaves it (and its folder) as they were.
      const writeError = await ResultWriter.open(file).catch((e: unknown) => e);
      expect((writeError as CanaryError).message).toBe(expected);
      expect((writeError as CanaryError).exitCode).toBe(ExitCode.badResults);
      expect(await snapshot(file)).toEqual(before);
      expect(await readdir(dir)).toEqual(['demo.jsonl']);
    });
  });
});

describe('result files that are fine, or nearly', () => {
  it('an empty file: readers wait for it like a missing one, a run starts it', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeFile(file, '');
      const error = await readResults(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissingResultsError);
      expect((error as CanaryError).message).toBe(`${file} is empty: no results recorded yet`);
      expect((error as CanaryError).exitCode).toBe(ExitCode.usage);
      const writer = await ResultWriter.open(file);
      expect(writer.lastLoop).toBe(0);
      expect(writer.needsHeader('sha256:aaaa')).toBe(true);
      await writer.append(header());
      await writer.close();
      expect((await readResults(file)).header).toEqual(header());
    });
  });

  it('a record of a kind this canary does not know is skipped with a warning naming its line', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeFile(file, jsonl(header(), { kind: 'note', text: 'from the future' }, loopRecord(1)));
      const history = await readResults(file);
      expect(history.loops.map((l) => l.loop)).toEqual([1]);
      expect(history.warnings).toEqual([
        `${file}:2: skipped a record of kind "note" this canary does not know (written by a newer one?)`,
      ]);
    });
  });

  it('trailing NUL bytes (a file extended but never written before a power loss) count as a torn line', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const kept = jsonl(header(), loopRecord(1));
      await writeFile(file, Buffer.concat([Buffer.from(kept), Buffer.alloc(4096)]));
      expect((await readResults(file)).warnings).toEqual([
        'ignored a torn last line (4096 bytes; a write was interrupted)',
      ]);
      const writer = await ResultWriter.open(file);
      await writer.close();
      expect(writer.warnings).toEqual(['dropped a torn last line (4096 bytes) left by an interrupted write']);
      expect(await readFile(file, 'utf8')).toBe(kept);
    });
  });

  it('only a record-like last line is dropped as torn; anything else is kept and refused', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const text = jsonl(header(), loopRecord(1)) + 'notes: rerun on monday';
      await writeFile(file, text);
      const error = await ResultWriter.open(file).catch((e: unknown) => e);
      expect((error as CanaryError).message).toBe(
        `${file}:3: damaged line: not JSON: "notes: rerun on monday"`,
      );
      expect(await readFile(file, 'utf8')).toBe(text);
    });
  });
});

describe('--fresh sets a refused file aside', () => {
  it('a damaged file is archived byte for byte and a new one starts', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await badFiles[0]!.make(file);
      const before = await readFile(file);
      const writer = await ResultWriter.open(file, { fresh: true });
      await writer.append(header());
      await writer.close();
      const archived = writer.warnings[0]!.replace('previous results kept as ', '');
      expect((await readFile(archived)).equals(before)).toBe(true);
      expect((await readResults(file)).header).toEqual(header());
    });
  });
});

describe('format migrations', () => {
  it('a v1 file from before SLO policies gets each verdict’s gate from its status', async () => {
    const history = await readResults(path.join(fixtures, 'v1-before-gate.jsonl'));
    expect(history.warnings).toEqual([]);
    expect(history.loops.map((l) => l.slos.map((v) => [v.status, v.gate]))).toEqual([
      [
        ['pass', 'pass'],
        ['fail', 'fail'],
      ],
      [
        ['pass', 'pass'],
        ['nodata', 'inconclusive'],
      ],
    ]);
    expect(history.end).toMatchObject({ lastLoop: 2, reason: 'max-loops' });
  });

  it('a gate already recorded is kept as it is', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const slos = [
        {
          metric: 'p/x',
          op: '<=' as const,
          limit: 1,
          version: 0,
          value: 2,
          status: 'fail' as const,
          gate: 'warn' as const,
        },
      ];
      await writeFile(file, jsonl(header(), loopRecord(1, { slos })));
      expect((await readResults(file)).loops[0]!.slos).toEqual(slos);
    });
  });
});

/** Spawn the CLI as an unprivileged user: root reads any file, so a permission test needs another uid. */
function runAsNobody(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const root = process.getuid?.() === 0;
    const child = spawn(process.execPath, [binary, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', HOME: cwd },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(root ? { uid: 65534, gid: 65534 } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('the built binary on bad result files', () => {
  const experiment =
    'apiVersion: canary/v1\nkind: Experiment\nmetadata: {name: demo}\nspec:\n  tasks:\n    - run: "true"\n';
  const commands: Array<[string, (file: string) => string[]]> = [
    ['report', (file) => ['report', '--results', file]],
    ['assert', (file) => ['assert', '--slos', '--results', file]],
    ['run', (file) => ['run', 'demo.yaml', '-q', '--results', file]],
  ];
  const cases = badFiles.filter((b) =>
    [
      'garbage line in the middle',
      'a future format version',
      'a named pipe',
      'a binary file (an image)',
    ].includes(b.name),
  );

  it.each(cases)('$name: report, assert and run exit 7 with the message, the file untouched', async (bad) => {
    await withTempDir(async (dir) => {
      await writeFile(path.join(dir, 'demo.yaml'), experiment);
      const file = path.join(dir, 'demo.jsonl');
      await bad.make(file);
      const before = await snapshot(file);
      for (const [command, args] of commands) {
        const result = await runCli(args(file), { cwd: dir });
        expect({ command, code: result.code }).toEqual({ command, code: ExitCode.badResults });
        expect(result.stderr).toContain(`canary: ${bad.message.replaceAll('FILE', file)}\n  hint: `);
        expect(result.stderr).not.toMatch(/\bat .+\.js:\d+/); // no stack trace
      }
      expect(await snapshot(file)).toEqual(before);
      expect((await readdir(dir)).sort()).toEqual(['demo.jsonl', 'demo.yaml']);
    });
  });

  it('a file this user may not read: exit 7, "permission denied", and how to fix it', async () => {
    await withTempDir(async (dir) => {
      await chmod(dir, 0o755);
      const file = path.join(dir, 'demo.jsonl');
      await writeFile(file, jsonl(header(), loopRecord(1)));
      await chmod(file, 0o000);
      const result = await runAsNobody(['report', '--results', file], dir);
      expect(result.code).toBe(ExitCode.badResults);
      expect(result.stderr).toContain(
        `canary: cannot read ${file}: permission denied\n  hint: give this user read access`,
      );
    });
  });

  it('the committed v1 fixture reads through report and assert', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'legacy.jsonl');
      await copyFile(path.join(fixtures, 'v1-before-gate.jsonl'), file);
      const assert = await runCli(['assert', '--slos', '--results', file], { cwd: dir });
      expect(assert.code).toBe(ExitCode.inconclusive);
      expect(assert.stdout).toContain(
        'slos: 1 of 2 inconclusive (no data, too few samples or no decision), none violated',
      );
      const report = await runCli(['report', '-o', 'json', '--results', file], { cwd: dir });
      expect(report.code).toBe(0);
      expect(JSON.parse(report.stdout)).toMatchObject({ latestLoop: { loop: 2 } });
    });
  });
});
