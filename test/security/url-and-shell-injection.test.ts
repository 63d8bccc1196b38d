import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { prepareRequest } from '../../src/metrics/backend/backend-request.js';
import { MetricBoard } from '../../src/metrics/metric-board.js';
import { runTask, type RunInput } from '../../src/tasks/run/run.js';
import type { TaskContext } from '../../src/tasks/task-definition.js';
import { quoteShellWord } from '../../src/util/quote-shell-word.js';
import { withTempDir } from '../engine/helpers.js';
import { hostileText } from './hostile-text.js';

/** Query parameters and `run` scripts: a value stays one value, whatever it holds. */

describe('backend requests encode every parameter', () => {
  it('GET: the URL keeps its host and path and carries exactly the given parameters', () => {
    fc.assert(
      fc.property(hostileText, hostileText, (query, extra) => {
        const prepared = prepareRequest({
          url: 'http://127.0.0.1:9090/api/v1/query?fixed=1',
          method: 'GET',
          headers: {},
          params: [
            { name: 'query', value: query },
            { name: 'x', value: extra },
          ],
        });
        if ('problem' in prepared) throw new Error(prepared.problem);
        const url = new URL(prepared.url.toString());
        expect(url.host).toBe('127.0.0.1:9090');
        expect(url.pathname).toBe('/api/v1/query');
        expect([...url.searchParams]).toEqual([
          ['fixed', '1'],
          ['query', query],
          ['x', extra],
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('POST: the form body decodes to exactly the given parameters', () => {
    fc.assert(
      fc.property(hostileText, (query) => {
        const prepared = prepareRequest({
          url: 'http://127.0.0.1:9090/api/v1/query',
          method: 'POST',
          headers: {},
          params: [{ name: 'query', value: query }],
        });
        if ('problem' in prepared) throw new Error(prepared.problem);
        expect([...new URLSearchParams(prepared.body)]).toEqual([['query', query]]);
        expect(prepared.url.search).toBe('');
      }),
      { numRuns: 300 },
    );
  });
});

function context(dir: string): TaskContext {
  return {
    taskId: 'run',
    loop: 1,
    iteration: 1,
    experiment: { name: 't' },
    versions: [],
    experimentDir: dir,
    experimentStart: new Date(),
    env: {},
    workDir: dir,
    signal: new AbortController().signal,
    metrics: new MetricBoard(),
    slos: [],
    log: () => {},
  };
}

/** A shell word cannot hold NUL (nor can argv or the environment); everything else can. */
const shellText = hostileText.map((text) => text.replaceAll('\u0000', ''));

/** The `run` task's input after the experiment's value templating, with `value` as values.x. */
async function renderedRunInput(dir: string, value: string, withBlock: string): Promise<RunInput> {
  const file = path.join(dir, 'experiment.yaml');
  await writeFile(
    file,
    `apiVersion: canary/v1\nkind: Experiment\nmetadata: {name: shell}\nspec:\n  tasks:\n    - task: run\n      with:\n${withBlock}`,
  );
  const loaded = await loadExperiment({ file, cwd: dir, values: { x: value } });
  if (!loaded.experiment) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.experiment.spec.tasks[0]!.with as RunInput;
}

describe('the run task gets values as data, not shell code', () => {
  const ways = [
    {
      name: 'through with.env',
      with: `        env: {X: "{{ values.x }}"}\n        script: printf '[%s]' "$X" > out; touch ran`,
    },
    {
      name: 'through | shellquote',
      with: `        script: "printf '[%s]' {{ values.x | shellquote }} > out; touch ran"`,
    },
  ];

  it.each(ways)('$name: the script sees the value as one word, unchanged', async ({ with: withBlock }) => {
    await withTempDir(async (dir) => {
      await fc.assert(
        fc.asyncProperty(shellText, async (value) => {
          const input = await renderedRunInput(dir, value, withBlock);
          const { output } = (await runTask.run(input, context(dir)))!;
          expect(await readFile(path.join(dir, 'out'), 'utf8')).toBe(`[${value}]`);
          expect(output).toBe('');
          await rm(path.join(dir, 'ran')); // the whole script ran: nothing ended it early
        }),
        { numRuns: 40 },
      );
    });
  });

  it('shellquote refuses NUL, which no shell word can hold', () => {
    expect(() => quoteShellWord('a\u0000b')).toThrow(/NUL/);
    expect(quoteShellWord(`it's`)).toBe(`'it'\\''s'`);
  });
});
