import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { runCli } from '../cli/cli-harness.js';
import { withTempDir } from '../engine/helpers.js';

/**
 * Plugins are code: canary imports a module only when the experiment names its path in
 * `spec.plugins`. Nothing is picked up from ./plugins, node_modules or the environment, and a name
 * is never resolved as a package. An explicit path is the user's choice, inside the experiment's
 * directory or not (experiments/quickstart.yaml uses ../plugins/): the experiment file is as trusted
 * as the scripts it runs.
 */

/** A plugin module that leaves a marker file when imported, so any import is seen. */
function pluginSource(marker: string): string {
  return `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(marker)}, 'imported');
export default {
  description: 'test plugin',
  inputSchema: { type: 'object' },
  async run() {},
};
`;
}

async function experimentWith(dir: string, plugins: string | undefined, task: string): Promise<string> {
  const file = path.join(dir, 'experiment.yaml');
  await writeFile(
    file,
    `apiVersion: canary/v1\nkind: Experiment\nmetadata: {name: p}\nspec:\n${plugins ? `  plugins:\n${plugins}` : ''}  tasks:\n    - task: ${task}\n`,
  );
  return file;
}

/** Plugin modules where an implicit loader might look, each with its own marker. */
async function plantPlugins(dir: string): Promise<string[]> {
  const places = [
    'plugins/evil.js',
    'plugins/evil/index.js',
    'node_modules/evil/index.js',
    'node_modules/canary-plugin-evil/index.js',
    '.canary/plugins/evil.js',
  ];
  const markers: string[] = [];
  for (const [i, place] of places.entries()) {
    const file = path.join(dir, place);
    await mkdir(path.dirname(file), { recursive: true });
    const marker = path.join(dir, `imported-${i}`);
    await writeFile(file, pluginSource(marker));
    markers.push(marker);
    if (place.startsWith('node_modules/'))
      await writeFile(
        path.join(path.dirname(file), 'package.json'),
        JSON.stringify({ name: path.basename(path.dirname(file)), type: 'module', main: 'index.js' }),
      );
  }
  return markers;
}

describe('plugins load only from paths the experiment names', () => {
  it('an unknown task is an error, not a search through ./plugins, node_modules or the environment', async () => {
    await withTempDir(async (dir) => {
      const markers = await plantPlugins(dir);
      const file = await experimentWith(dir, undefined, 'evil');
      const previous = process.env.CANARY_PLUGINS;
      process.env.CANARY_PLUGINS = path.join(dir, 'plugins/evil.js');
      try {
        const loaded = await loadExperiment({
          file,
          cwd: dir,
          env: { CANARY_PLUGINS: path.join(dir, 'plugins/evil.js') },
        });
        expect(loaded.experiment).toBeUndefined();
        expect(loaded.diagnostics.map((d) => d.message).join('\n')).toMatch(/evil/);
      } finally {
        if (previous === undefined) delete process.env.CANARY_PLUGINS;
        else process.env.CANARY_PLUGINS = previous;
      }
      for (const marker of markers) expect(existsSync(marker)).toBe(false);
    });
  });

  it('a bare name is a path next to the experiment, never a package in node_modules', async () => {
    await withTempDir(async (dir) => {
      const markers = await plantPlugins(dir);
      for (const reference of ['evil', 'canary-plugin-evil']) {
        const file = await experimentWith(dir, `    evil: ${reference}\n`, 'evil');
        const loaded = await loadExperiment({ file, cwd: dir });
        expect(loaded.experiment).toBeUndefined();
        expect(loaded.diagnostics.map((d) => d.message)).toContain(
          `plugin module not found: ${path.join(dir, reference)}`,
        );
      }
      for (const marker of markers) expect(existsSync(marker)).toBe(false);
    });
  });

  it('explicit paths load, relative (also outside the experiment directory) or absolute', async () => {
    await withTempDir(async (dir) => {
      await mkdir(path.join(dir, 'experiments'));
      await mkdir(path.join(dir, 'shared'));
      const outside = path.join(dir, 'shared/outside.js');
      await writeFile(outside, pluginSource(path.join(dir, 'outside-imported')));
      const experimentDir = path.join(dir, 'experiments');
      for (const reference of ['../shared/outside.js', outside]) {
        const file = await experimentWith(experimentDir, `    mine: ${JSON.stringify(reference)}\n`, 'mine');
        const loaded = await loadExperiment({ file, cwd: dir });
        expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(loaded.experiment?.spec.tasks[0]?.task).toBe('mine');
      }
      expect(existsSync(path.join(dir, 'outside-imported'))).toBe(true);
    });
  });

  it('URLs and data: modules are not plugin paths', async () => {
    await withTempDir(async (dir) => {
      const marker = path.join(dir, 'data-imported');
      const dataUrl = `data:text/javascript,${encodeURIComponent(pluginSource(marker))}`;
      for (const reference of [dataUrl, 'file:///etc/hostname', 'https://example.invalid/plugin.js']) {
        const file = await experimentWith(dir, `    evil: ${JSON.stringify(reference)}\n`, 'evil');
        const loaded = await loadExperiment({ file, cwd: dir });
        expect(loaded.experiment).toBeUndefined();
        expect(loaded.diagnostics.some((d) => d.message.startsWith('plugin module not found: '))).toBe(true);
      }
      expect(existsSync(marker)).toBe(false);
    });
  });
});

describe('canary validate --no-plugins runs no plugin code', () => {
  it('checks that the module exists, imports nothing, warns that inputs went unchecked, exits 0', async () => {
    await withTempDir(async (dir) => {
      const marker = path.join(dir, 'imported');
      await writeFile(path.join(dir, 'mine.js'), pluginSource(marker));
      const file = await experimentWith(dir, `    mine: ./mine.js\n`, 'mine');
      const skipped = await runCli(['validate', '--no-plugins', file], { cwd: dir });
      expect(skipped.stderr).toMatch(
        /warning +spec\.plugins\.mine: plugin "mine" not loaded \(--no-plugins\): inputs of its tasks were not checked/,
      );
      expect(skipped.stderr).toMatch(/valid \(.*1 tasks\)/);
      expect(skipped.code).toBe(0);
      expect(existsSync(marker)).toBe(false);

      // Without the flag the module is imported (documented): its schema checks the task's inputs.
      const loaded = await runCli(['validate', file], { cwd: dir });
      expect(loaded.code).toBe(0);
      expect(existsSync(marker)).toBe(true);
    });
  });

  it('still reports a plugin module that does not exist (exit 3)', async () => {
    await withTempDir(async (dir) => {
      const file = await experimentWith(dir, `    mine: ./missing.js\n`, 'mine');
      const result = await runCli(['validate', '--no-plugins', file], { cwd: dir });
      expect(result.stderr).toMatch(/plugin module not found: .*missing\.js/);
      expect(result.code).toBe(3);
    });
  });
});
