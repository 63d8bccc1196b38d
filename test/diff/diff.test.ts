import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffLoops } from '../../src/diff/diff-loops.js';
import { renderDiff } from '../../src/diff/render-diff.js';
import { parseLoopPair, selectSides } from '../../src/diff/select-sides.js';
import { checkAgainstSchema } from '../../src/config/schema-check.js';
import type { LoopRecord, SloVerdict } from '../../src/results/records.js';
import { header, jsonl, loopRecord } from '../results/fixtures.js';
import { runCli } from '../cli/cli-harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-diff-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const slo = (
  version: number,
  status: SloVerdict['status'],
  value: number | null,
  extra: Partial<SloVerdict> = {},
) => ({ metric: 'p/latency', op: '<=', limit: 10, version, value, status, ...extra }) as SloVerdict;

/** A: versions baseline, candidate, old; B: candidate, baseline, new (reordered on purpose). */
const loopA: LoopRecord = loopRecord(3, {
  versions: ['baseline', 'candidate', 'old'],
  metrics: [
    { 'p/latency': { value: 5 }, 'p/errors': { value: 0 } },
    { 'p/latency': { value: 8 }, 'p/errors': { value: 2 } },
    { 'p/latency': { value: 1 } },
  ],
  slos: [
    slo(0, 'pass', 5),
    slo(1, 'pass', 8),
    slo(1, 'fail', 2, { metric: 'p/errors', limit: 1 }),
    slo(1, 'pass', 8, { metric: 'p/latency', op: '>=', limit: 1 }),
  ],
});
const loopB: LoopRecord = loopRecord(7, {
  versions: ['candidate', 'baseline', 'new'],
  metrics: [
    { 'p/latency': { value: 12 }, 'p/errors': { value: 0 } },
    { 'p/latency': { value: 4 }, 'p/errors': { value: null, reason: 'NaN' } },
    {},
  ],
  slos: [
    slo(0, 'fail', 12),
    slo(0, 'pass', 0, { metric: 'p/errors', limit: 1 }),
    slo(1, 'nodata', null, { limit: null, reason: 'no baseline' }),
    slo(1, 'pass', 4, { metric: 'p/errors', limit: 1, kind: 'relative' }),
  ],
});
const side = (loop: LoopRecord, file: string) => ({
  record: loop,
  side: { file, experiment: 'demo', loop: loop.loop, start: loop.start, end: loop.end, status: loop.status },
});

describe('diffLoops', () => {
  const diff = diffLoops(side(loopA, 'a.jsonl'), side(loopB, 'b.jsonl'));

  it('matches versions by name and lists the others', () => {
    expect(diff.versions.map((v) => v.name)).toEqual(['candidate', 'baseline']);
    expect(diff.onlyInA).toEqual(['old']);
    expect(diff.onlyInB).toEqual(['new']);
  });

  it('gives every metric its values, change and relative change', () => {
    const candidate = diff.versions[0]!;
    expect(candidate.metrics).toEqual([
      { metric: 'p/errors', a: 2, b: 0, change: -2, relativeChange: -1 },
      { metric: 'p/latency', a: 8, b: 12, change: 4, relativeChange: 0.5 },
    ]);
    const baseline = diff.versions[1]!;
    expect(baseline.metrics).toEqual([
      { metric: 'p/errors', a: 0, b: null, change: null, relativeChange: null },
      { metric: 'p/latency', a: 5, b: 4, change: -1, relativeChange: -0.2 },
    ]);
  });

  it('puts SLO changes first: regressed, fixed, changed, added, removed', () => {
    const candidate = diff.versions[0]!;
    expect(candidate.slos.map((s) => [s.slo, s.change, s.statusA, s.statusB])).toEqual([
      ['p/latency <=', 'regressed', 'pass', 'fail'],
      ['p/errors <=', 'fixed', 'fail', 'pass'],
      ['p/latency >=', 'removed', 'pass', null],
    ]);
    const baseline = diff.versions[1]!;
    expect(baseline.slos.map((s) => [s.slo, s.change, s.limitA, s.limitB])).toEqual([
      ['p/latency <=', 'changed', 10, null],
      ['p/errors <= (relative)', 'added', null, 1],
    ]);
    expect(diff.summary).toEqual({
      regressed: 1,
      fixed: 1,
      changed: 1,
      added: 1,
      removed: 1,
      unchanged: 0,
      gatingRegressions: 1,
    });
  });

  it('a regression in warn mode is shown but does not gate', () => {
    const warned = loopRecord(8, { ...loopB, loop: 8, slos: [slo(0, 'fail', 12, { gate: 'warn' })] });
    const result = diffLoops(side(loopA, 'a'), side(warned, 'b'));
    expect(result.summary.regressed).toBe(1);
    expect(result.summary.gatingRegressions).toBe(0);
  });

  it('validates against the committed schema', async () => {
    const schema = JSON.parse(await readFile(path.join(root, 'schemas/diff.schema.json'), 'utf8')) as object;
    expect(checkAgainstSchema(schema, diff)).toEqual([]);
  });

  it('renders text and markdown with the regression on top', () => {
    const text = renderDiff(diff, 'text');
    expect(text).toContain('SLOs: 1 regressed, 1 fixed, 1 changed, 1 added, 1 removed');
    const lines = text.split('\n');
    const candidate = lines.indexOf('version candidate');
    expect(lines[candidate + 2]).toMatch(/^ {2}REGRESSED\s+p\/latency <= 10\s+pass -> fail\s+8 -> 12$/);
    expect(text).toMatch(/p\/latency\s+8\s+12\s+\+4\s+\+50\.0%/);
    expect(text).toContain('versions only in A: old');
    const markdown = renderDiff(diff, 'markdown');
    expect(markdown).toContain('| **regressed** | `p/latency <= 10` | pass → fail | 8 → 12 |');
    expect(markdown).toContain('| p/errors | 0 | - | - | - |');
  });
});

describe('choosing the loops', () => {
  it('parses --loops', () => {
    expect(parseLoopPair('3,7')).toEqual(['3', '7']);
    expect(parseLoopPair('3, latest')).toEqual(['3', 'latest']);
    expect(() => parseLoopPair('3')).toThrow(/two loops/);
  });

  it('latest skips invalid loops; --pinned takes the pin; an invalid loop asked by number is flagged', async () => {
    const file = path.join(dir, 'one.jsonl');
    const mark = (extra: object) => ({
      kind: 'mark',
      at: 'x',
      lastLoop: 3,
      experimentHash: 'sha256:aaaa',
      ...extra,
    });
    await writeFile(
      file,
      jsonl(
        header(),
        loopRecord(1),
        loopRecord(2),
        loopRecord(3),
        mark({ action: 'pin', loop: 1, name: 'golden' }),
        mark({ action: 'invalidate', loop: 3, reason: 'noisy' }),
      ),
    );
    const pinned = await selectSides({ files: [file], pinned: 'golden' });
    expect([pinned.a.side.loop, pinned.a.side.pin, pinned.b.side.loop]).toEqual([1, 'golden', 2]);
    const asked = await selectSides({ files: [file], loops: ['1', '3'] });
    expect(asked.b.side.invalid).toBe('noisy');
    expect(asked.warnings).toEqual(['loop B (3) is marked invalid: noisy']);
    await expect(selectSides({ files: [file] })).rejects.toThrow(/--loops A,B or --pinned NAME/);
    await expect(selectSides({ files: [file], pinned: 'silver' })).rejects.toThrow(
      /no usable pin named silver/,
    );
  });
});

describe('canary diff (built CLI)', () => {
  it('compares two files, exits 1 only with --fail-on-regression, 2 on usage errors', async () => {
    await writeFile(path.join(dir, 'a.jsonl'), jsonl(header(), loopRecord(1), loopA));
    await writeFile(path.join(dir, 'b.jsonl'), jsonl(header(), loopB));
    const plain = await runCli(['diff', 'a.jsonl', 'b.jsonl'], { cwd: dir });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('A: loop 3 of a.jsonl');
    expect(plain.stdout).toContain('B: loop 7 of b.jsonl');
    const json = await runCli(['diff', 'a.jsonl', 'b.jsonl', '-o', 'json', '--fail-on-regression'], {
      cwd: dir,
    });
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { summary: { regressed: number } }).summary.regressed).toBe(1);
    const loops = await runCli(['diff', 'a.jsonl', '--loops', '1,3', '--fail-on-regression'], { cwd: dir });
    expect(loops.code).toBe(0);
    expect(loops.stdout).toContain('A: loop 1 of a.jsonl');
    const missing = await runCli(['diff', 'a.jsonl', '--loops', '1,9'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('has no loop 9');
    const unreadable = await runCli(['diff', 'a.jsonl', 'nope.jsonl'], { cwd: dir });
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain('no result file at nope.jsonl');
  });

  it('refuses a damaged file with exit 7 and file:line, as its --help says', async () => {
    await writeFile(path.join(dir, 'good.jsonl'), jsonl(header(), loopA));
    await writeFile(
      path.join(dir, 'torn.jsonl'),
      `${jsonl(header(), loopRecord(1))}#garbage\n${jsonl(loopB)}`,
    );
    for (const args of [
      ['diff', 'good.jsonl', 'torn.jsonl'],
      ['diff', 'torn.jsonl', '--loops', '1,2'],
    ]) {
      const damaged = await runCli(args, { cwd: dir });
      expect(damaged.code, damaged.stderr).toBe(7);
      expect(damaged.stderr).toContain('torn.jsonl:3: damaged line: not JSON: "#garbage"');
      expect(damaged.stdout).toBe('');
    }
    const help = await runCli(['diff', '--help'], { cwd: dir });
    expect(help.stdout).toMatch(
      /^ {2}7 {4}a result file with a damaged line \(file:line\) or a newer format$/m,
    );
    expect(help.stdout).not.toMatch(/^ {2}2 .*cannot be read/m);
  });
});
