import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

// A pipe takes output asynchronously: exiting while some is queued used to cut off the last lines
// (here validate's summary, after 12,000 lines of diagnostics).
it('a command that exits non-zero still writes all its output to a pipe', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'canary-flush-'));
  try {
    const keys = Array.from({ length: 3000 }, (_, i) => `k${i}: ${i}`).join('\n');
    await writeFile(path.join(dir, 'many-keys.yaml'), `${keys}\n`);
    const result = await runCli(['validate', 'many-keys.yaml'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('k2999: unknown key "k2999"');
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(
      'many-keys.yaml: invalid (3004 errors, 0 warnings)',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
