import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { appendGitHubSummary, limitSummary } from '../../src/report/github-summary.js';
import { renderMarkdown } from '../../src/report/render-markdown.js';
import { twoLoopHistory } from './report-fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-summary-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('appendGitHubSummary', () => {
  const report = buildReport(twoLoopHistory());

  it('appends the markdown report to $GITHUB_STEP_SUMMARY, after what other steps wrote', async () => {
    const file = path.join(dir, 'summary.md');
    await writeFile(file, '# Build\n\nearlier step\n');
    expect(await appendGitHubSummary(report, { GITHUB_STEP_SUMMARY: file })).toBe(file);
    expect(await appendGitHubSummary(report, { GITHUB_STEP_SUMMARY: file })).toBe(file);
    const written = await readFile(file, 'utf8');
    expect(written.startsWith('# Build\n\nearlier step\n')).toBe(true);
    expect(written.split(renderMarkdown(report))).toHaveLength(3);
  });

  it('does nothing outside GitHub Actions', async () => {
    expect(await appendGitHubSummary(report, {})).toBeUndefined();
    expect(await appendGitHubSummary(report, { GITHUB_STEP_SUMMARY: '  ' })).toBeUndefined();
  });

  it('fails loudly when the file cannot be written', async () => {
    await expect(
      appendGitHubSummary(report, { GITHUB_STEP_SUMMARY: path.join(dir, 'missing', 'summary.md') }),
    ).rejects.toThrow(/ENOENT/);
  });
});

describe('limitSummary', () => {
  it('keeps a summary under the limit as it is', () => {
    expect(limitSummary('short\n', 100)).toBe('short\n');
  });

  it('cuts at a line boundary, closes an open <details> and says so', () => {
    const long = [
      '## title',
      '<details><summary>x</summary>',
      '',
      ...Array.from({ length: 50 }, (_, i) => `| row ${i} |`),
    ].join('\n');
    const limited = limitSummary(long, 300);
    expect(Buffer.byteLength(limited)).toBeLessThanOrEqual(300 + '\n\n</details>'.length);
    expect(limited).toContain('| row 0 |');
    expect(limited).not.toContain('| row 49 |');
    expect(limited).toMatch(/\| row \d+ \|\n\n<\/details>\n\n_Summary truncated/);
  });
});
