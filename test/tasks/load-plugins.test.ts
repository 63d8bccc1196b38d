import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlugins } from '../../src/tasks/load-plugins.js';
import { createRegistry } from '../../src/tasks/registry.js';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { withTempDir } from '../engine/helpers.js';

const validPlugin = `
export default {
  name: 'echo-metric',
  description: 'Records a fixed metric',
  inputSchema: { type: 'object', properties: { value: { type: 'number' } }, required: ['value'] },
  produces: () => ['echo/*'],
  async run(input, context) {
    context.metrics.record(0, 'echo/value', input.value);
  },
};
`;

/** Write plugin modules (unique names: ESM caches imports by URL) into a temp experiment dir. */
async function withPlugins<T>(files: Record<string, string>, body: (dir: string) => Promise<T>): Promise<T> {
  return withTempDir(async (dir) => {
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    return body(dir);
  });
}

describe('loadPlugins', () => {
  it('loads a valid plugin from a path relative to the experiment directory', async () => {
    await withPlugins({ 'valid-a.mjs': validPlugin }, async (dir) => {
      const { definitions, problems } = await loadPlugins({ 'echo-metric': './valid-a.mjs' }, dir);
      expect(problems).toEqual([]);
      const definition = definitions.get('echo-metric');
      expect(definition?.description).toBe('Records a fixed metric');
      expect(typeof definition?.run).toBe('function');
      const registry = createRegistry(definitions);
      expect([...registry.keys()].sort()).toEqual([
        'assess',
        'custommetrics',
        'echo-metric',
        'github',
        'grpc',
        'http',
        'llm',
        'notify',
        'ready',
        'rollout',
        'run',
        'slack',
      ]);
    });
  });

  it('accepts a named `task` export', async () => {
    await withPlugins(
      { 'named-b.mjs': validPlugin.replace('export default', 'export const task =') },
      async (dir) => {
        const { definitions, problems } = await loadPlugins({ mine: 'named-b.mjs' }, dir);
        expect(problems).toEqual([]);
        expect(definitions.has('mine')).toBe(true);
      },
    );
  });

  it('reports a missing file with the resolved path and a hint', async () => {
    await withTempDir(async (dir) => {
      const { definitions, problems } = await loadPlugins({ ghost: '../plugins/ghost.js' }, dir);
      expect(definitions.size).toBe(0);
      expect(problems).toEqual([
        {
          name: 'ghost',
          message: `plugin module not found: ${path.resolve(dir, '../plugins/ghost.js')}`,
          hint: expect.stringContaining('relative to the experiment file'),
        },
      ]);
    });
  });

  it('reports a module that throws on import', async () => {
    await withPlugins(
      { 'throws-c.mjs': "throw new Error('plugin exploded at import');\nexport default {};\n" },
      async (dir) => {
        const { definitions, problems } = await loadPlugins({ boom: 'throws-c.mjs' }, dir);
        expect(definitions.size).toBe(0);
        expect(problems).toHaveLength(1);
        expect(problems[0]!.name).toBe('boom');
        expect(problems[0]!.message).toBe('plugin module failed to load: plugin exploded at import');
      },
    );
  });

  it('reports a module with a syntax error', async () => {
    await withPlugins({ 'syntax-d.mjs': 'export default {' }, async (dir) => {
      const { problems } = await loadPlugins({ broken: 'syntax-d.mjs' }, dir);
      expect(problems).toHaveLength(1);
      expect(problems[0]!.message).toMatch(/^plugin module failed to load: /);
    });
  });

  it.each([
    ['no default export', 'export const other = 1;', 'no default export object'],
    [
      'a default export without run',
      "export default { name: 'x', description: 'x', inputSchema: {} };",
      '`run` must be a function',
    ],
    [
      'run that is not a function',
      "export default { name: 'x', description: 'x', inputSchema: {}, run: 'go' };",
      '`run` must be a function',
    ],
    [
      'no description',
      "export default { name: 'x', inputSchema: {}, async run() {} };",
      '`description` must be a string',
    ],
    [
      'no inputSchema',
      "export default { name: 'x', description: 'x', async run() {} };",
      '`inputSchema` must be a JSON Schema object',
    ],
    [
      'a check that is not a function',
      "export default { description: 'x', inputSchema: {}, check: 1, async run() {} };",
      '`check` must be a function',
    ],
    [
      'a supportsRetrospective that is not a boolean',
      "export default { description: 'x', inputSchema: {}, supportsRetrospective: 'yes', async run() {} };",
      '`supportsRetrospective` must be true or false',
    ],
  ])('reports %s', async (label, source, problem) => {
    const file = `shape-${label.replace(/\W+/g, '-')}.mjs`;
    await withPlugins({ [file]: source }, async (dir) => {
      const { definitions, problems } = await loadPlugins({ bad: file }, dir);
      expect(definitions.size).toBe(0);
      expect(problems).toEqual([
        {
          name: 'bad',
          message: `${file} is not a task plugin: ${problem}`,
          hint: expect.stringContaining('export default {'),
        },
      ]);
    });
  });

  it('reports an inputSchema that does not compile', async () => {
    const source =
      "export default { name: 'x', description: 'x', inputSchema: { type: 'nonsense' }, async run() {} };";
    await withPlugins({ 'schema-e.mjs': source }, async (dir) => {
      const { problems } = await loadPlugins({ bad: 'schema-e.mjs' }, dir);
      expect(problems).toHaveLength(1);
      expect(problems[0]!.message).toMatch(
        /^schema-e\.mjs is not a task plugin: inputSchema does not compile: .*type/,
      );
    });
  });

  it('refuses a plugin named like a built-in task', async () => {
    await withPlugins({ 'valid-f.mjs': validPlugin }, async (dir) => {
      const { definitions, problems } = await loadPlugins({ run: 'valid-f.mjs' }, dir);
      expect(definitions.size).toBe(0);
      expect(problems).toEqual([
        { name: 'run', message: 'plugin name "run" is a built-in task', hint: 'choose another name' },
      ]);
    });
  });

  it('loads the good plugins and reports the bad ones in one pass', async () => {
    await withPlugins(
      { 'valid-g.mjs': validPlugin, 'throws-h.mjs': "throw new Error('nope');" },
      async (dir) => {
        const { definitions, problems } = await loadPlugins(
          { good: 'valid-g.mjs', bad: 'throws-h.mjs', gone: 'missing.mjs' },
          dir,
        );
        expect([...definitions.keys()]).toEqual(['good']);
        expect(problems.map((p) => p.name)).toEqual(['bad', 'gone']);
      },
    );
  });

  it('loads the plugin shipped with canary', async () => {
    const { definitions, problems } = await loadPlugins(
      { 'file-metrics': '../plugins/file-metrics.js' },
      path.resolve('experiments'),
    );
    expect(problems).toEqual([]);
    expect(definitions.has('file-metrics')).toBe(true);
  });
});

describe("a plugin's runTimeTemplates", () => {
  const greeter = `
export default {
  name: 'greet',
  description: 'Renders its message itself, when it runs',
  inputSchema: { type: 'object', properties: { message: { type: 'string' }, to: { type: 'string' } } },
  runTimeTemplates: [['message']],
  async run() {},
};
`;

  it('are left alone at load time, while the rest of its input renders with values', async () => {
    await withPlugins({ 'greet-rt.mjs': greeter }, async (dir) => {
      const file = path.join(dir, 'experiment.yaml');
      await writeFile(
        file,
        [
          'apiVersion: canary/v1',
          'kind: Experiment',
          'metadata: { name: greet }',
          'spec:',
          '  plugins: { greet: "{{ values.module }}" }',
          '  tasks:',
          '    - task: greet',
          '      with: { message: "loop {{ loop }}", to: "{{ values.who }}" }',
          '',
        ].join('\n'),
      );
      const loaded = await loadExperiment({
        file,
        cwd: dir,
        values: { module: './greet-rt.mjs', who: 'ops' },
      });
      expect(loaded.diagnostics).toEqual([]);
      expect(loaded.experiment?.spec.plugins).toEqual({ greet: './greet-rt.mjs' });
      expect(loaded.experiment?.spec.tasks[0]?.with).toEqual({ message: 'loop {{ loop }}', to: 'ops' });
    });
  });
});
