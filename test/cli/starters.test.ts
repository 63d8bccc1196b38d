import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { starterNames } from '../../src/cli/starters/index.js';
import { writeStarter } from '../../src/cli/starters/write-starter.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-starters-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('canary init starters', () => {
  it.each(starterNames)('%s: validates as written, with a $schema line that resolves', async (template) => {
    const file = path.join('nested', `${template}.yaml`);
    expect(await writeStarter({ file, template, force: false, cwd: dir })).toBe(file);
    const loaded = await loadExperiment({ file, cwd: dir, env: {} });
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.plan?.tasks.map((t) => t.task)).toContain('assess');
    const text = await readFile(path.join(dir, file), 'utf8');
    const schema = /^# yaml-language-server: \$schema=(.+)$/m.exec(text.split('\n')[0] ?? '')?.[1];
    expect(schema).toBeDefined();
    expect(existsSync(path.resolve(dir, 'nested', schema!))).toBe(true);
  });

  it('http targets canary serve-model; kserve and istio use their builtin templates', async () => {
    const read = async (template: (typeof starterNames)[number]) => {
      await writeStarter({ file: `${template}.yaml`, template, force: true, cwd: dir });
      return readFile(path.join(dir, `${template}.yaml`), 'utf8');
    };
    const http = await read('http');
    expect(http).toContain('http://127.0.0.1:8080/v1/models/sklearn-iris:predict');
    expect(http).toContain('http://127.0.0.1:8081/v1/models/sklearn-iris:predict');
    expect(await read('kserve')).toContain('builtin:kserve-prometheus');
    expect(await read('istio')).toContain('builtin:istio-prometheus');
    const llm = await read('llm');
    expect(llm).toContain('task: llm');
    expect(llm).toContain('http://127.0.0.1:8081/v1');
  });

  it('refuses to overwrite without force', async () => {
    await writeStarter({ file: 'keep.yaml', template: 'http', force: false, cwd: dir });
    await expect(
      writeStarter({ file: 'keep.yaml', template: 'istio', force: false, cwd: dir }),
    ).rejects.toMatchObject({
      exitCode: 2,
      hints: [expect.stringContaining('--force')],
    });
    expect(await readFile(path.join(dir, 'keep.yaml'), 'utf8')).toContain('task: http');
  });

  it('an unwritable path is a usage error with the reason, not a crash', async () => {
    await writeFile(path.join(dir, 'a-file'), 'not a directory');
    await expect(
      writeStarter({ file: 'a-file/experiment.yaml', template: 'http', force: false, cwd: dir }),
    ).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/^cannot write a-file\/experiment\.yaml: E/),
    });
  });
});
