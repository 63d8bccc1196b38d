import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CanaryError } from '../../src/errors.js';
import { pollAssertions } from '../../src/results/poll-assertions.js';
import type { AssertionRequest } from '../../src/results/assertions.js';
import { withTempDir } from '../engine/helpers.js';
import { endRecord, header, judgedLoop, jsonl } from './fixtures.js';

const slos: AssertionRequest = { completed: false, nofailure: false, slos: true };
const all: AssertionRequest = { completed: true, nofailure: true, slos: true };

describe('pollAssertions', () => {
  it('answers at once without a timeout', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'r.jsonl');
      await writeFile(file, jsonl(header(), judgedLoop(1, ['completed'], ['fail'])));
      const outcome = await pollAssertions(file, slos, 0);
      expect(outcome.exitCode).toBe(1);
      expect(outcome.warnings).toEqual([]);
    });
  });

  it('passes on the result file’s warnings', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'r.jsonl');
      await writeFile(file, jsonl(header(), judgedLoop(1, ['completed'], ['pass'])) + '{"torn');
      const outcome = await pollAssertions(file, slos, 0);
      expect(outcome.exitCode).toBe(0);
      expect(outcome.warnings).toHaveLength(1);
      expect(outcome.warnings[0]).toMatch(/torn last line/);
    });
  });

  it('stops early when the run has ended, even though the conditions never hold', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'r.jsonl');
      await writeFile(file, jsonl(header(), judgedLoop(1, ['completed'], ['fail']), endRecord(1)));
      // A ten-minute timeout: only stopping early lets this finish within the test timeout.
      const outcome = await pollAssertions(file, all, 600_000, 20);
      expect(outcome.exitCode).toBe(1);
      expect(outcome.lines.find((l) => l.text.startsWith('slos'))).toEqual({
        ok: false,
        text: 'slos: 1 of 1 violated',
      });
    });
  }, 20_000);

  it('keeps polling until the conditions hold', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'r.jsonl');
      await writeFile(file, jsonl(header(), judgedLoop(1, ['completed'], ['fail'])));
      setTimeout(() => void appendFile(file, jsonl(judgedLoop(2, ['completed'], ['pass']))), 150);
      const outcome = await pollAssertions(file, all, 600_000, 20);
      expect(outcome.exitCode).toBe(0);
      expect(outcome.lines[0]!.text).toBe('completed: loop 2 ran every task');
    });
  }, 20_000);

  it('waits for a result file that appears later', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'later.jsonl');
      setTimeout(() => void writeFile(file, jsonl(header(), judgedLoop(1, ['completed'], ['pass']))), 200);
      const outcome = await pollAssertions(file, all, 600_000, 20);
      expect(outcome.exitCode).toBe(0);
    });
  }, 20_000);

  it('gives up at the timeout with the last verdict', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'r.jsonl');
      await writeFile(file, jsonl(header(), judgedLoop(1, ['completed'], ['nodata'])));
      const began = Date.now();
      const outcome = await pollAssertions(file, slos, 300, 20);
      expect(Date.now() - began).toBeGreaterThanOrEqual(300);
      expect(outcome.exitCode).toBe(5);
    });
  });

  it('fails with the missing-file error when the file never appears before the timeout', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'never.jsonl');
      const began = Date.now();
      const error = await pollAssertions(file, all, 200, 20).catch((e: unknown) => e);
      expect(Date.now() - began).toBeGreaterThanOrEqual(200);
      expect(error).toBeInstanceOf(CanaryError);
      expect((error as CanaryError).message).toBe(`no result file at ${file}`);
    });
  });

  it('fails at once for a missing file without a timeout', async () => {
    await withTempDir(async (dir) => {
      await expect(pollAssertions(path.join(dir, 'never.jsonl'), all, 0)).rejects.toThrow(/no result file/);
    });
  });
});
