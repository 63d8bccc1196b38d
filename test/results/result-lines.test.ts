import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { linesOf, readLines } from '../../src/results/result-lines.js';
import { withTempDir } from '../engine/helpers.js';

/** Lines of many lengths, one of them longer than the 1 MiB read chunk, the last without a newline. */
function sampleText(): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < 4000; i++) lines.push(`{"kind":"loop","n":${i},"pad":"${'é'.repeat((i * 37) % 900)}"}`);
  lines.splice(1500, 0, 'x'.repeat(1_300_000));
  lines.push('', 'last line without newline');
  return Buffer.from(lines.join('\n'), 'utf8');
}

describe('line offsets', () => {
  it('readLines gives each line its byte offset in the file, across 1 MiB chunks', async () => {
    await withTempDir(async (dir) => {
      const data = sampleText();
      expect(data.length).toBeGreaterThan(3 * 1024 * 1024);
      const file = path.join(dir, 'lines.jsonl');
      await writeFile(file, data);
      let count = 0;
      let expectedOffset = 0;
      for await (const line of readLines(file)) {
        count++;
        expect(line.number).toBe(count);
        expect(line.offset).toBe(expectedOffset);
        expect(line.bytes.equals(data.subarray(line.offset, line.offset + line.bytes.length))).toBe(true);
        expectedOffset = line.offset + line.bytes.length + 1;
      }
      expect(count).toBe(4003);
    });
  });

  it('linesOf gives the same lines and offsets for text in memory', async () => {
    await withTempDir(async (dir) => {
      const data = sampleText();
      const file = path.join(dir, 'lines.jsonl');
      await writeFile(file, data);
      const streamed: Array<[number, number, boolean]> = [];
      for await (const line of readLines(file))
        streamed.push([line.offset, line.bytes.length, line.terminated]);
      const inMemory = [...linesOf(data)].map((line) => [line.offset, line.bytes.length, line.terminated]);
      expect(inMemory).toEqual(streamed);
      expect(streamed.at(-1)).toEqual([data.length - 25, 25, false]);
    });
  });
});
