import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { publishedSchemas, serializeSchema } from '../src/schemas/published-schemas.js';
import { loadExperiment, renderDocument, type At } from '../src/config/load-experiment.js';
import { createRegistry } from '../src/tasks/registry.js';
import { checkAgainstSchema } from '../src/config/schema-check.js';
import { buildReport } from '../src/report/build-report.js';
import { readYamlSource } from '../src/config/yaml-source.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('committed schemas', () => {
  it('are exactly what the code generates (run `npm run schemas` after changing a schema)', async () => {
    const generated = publishedSchemas();
    const committed = (await readdir(path.join(root, 'schemas'), { recursive: true }))
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(committed).toEqual(Object.keys(generated).sort());
    for (const [name, schema] of Object.entries(generated)) {
      expect(await readFile(path.join(root, 'schemas', name), 'utf8'), name).toBe(serializeSchema(schema));
    }
  });

  it('the published experiment schema accepts every experiment file and rejects a bad task input', async () => {
    const schema = JSON.parse(
      await readFile(path.join(root, 'schemas/experiment.schema.json'), 'utf8'),
    ) as object;
    const files = await experimentFiles();
    let checked = 0;
    for (const file of files) {
      // Rendered first (with each file's defaults), as an editor sees the values a run uses.
      const rendered = renderWithDefaults(file, await readFile(file, 'utf8'));
      expect(rendered.diagnostics, file).toEqual([]);
      expect(checkAgainstSchema(schema, rendered.value), file).toEqual([]);
      checked++;
    }
    expect(checked).toBe(files.length);
    expect(checked).toBeGreaterThanOrEqual(6);
    const bad = {
      apiVersion: 'canary/v1',
      kind: 'Experiment',
      metadata: { name: 'x' },
      spec: { tasks: [{ task: 'assess', with: { SLOs: { upper: { 'a/b': '25ms' } } } }] },
    };
    expect(checkAgainstSchema(schema, bad).map((p) => p.message)).toContainEqual(
      expect.stringMatching(/^must be a number \(the limit\)/),
    );
  });
});

/** A file's load-time expressions rendered with no values (each falls back to its `default`). */
function renderWithDefaults(file: string, text: string) {
  const document = readYamlSource(file, text).value as { spec?: { plugins?: unknown } };
  const at: At = (p, message) => ({
    severity: 'error',
    file,
    line: 0,
    column: 0,
    path: p.join('.'),
    message,
  });
  return renderDocument(document, {}, at, createRegistry(), document.spec?.plugins);
}

async function experimentFiles(): Promise<string[]> {
  const names = await readdir(path.join(root, 'experiments'));
  return names
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .map((n) => path.join(root, 'experiments', n));
}

describe('experiments/', () => {
  it('has experiment files', async () => {
    expect((await experimentFiles()).length).toBeGreaterThan(0);
  });

  it('every file validates through every stage without errors or warnings', async () => {
    for (const file of await experimentFiles()) {
      const loaded = await loadExperiment({ file, cwd: root });
      expect(loaded.diagnostics, file).toEqual([]);
      expect(loaded.plan, file).toBeDefined();
    }
  });

  it('every file names the schema for editors', async () => {
    for (const file of await experimentFiles()) {
      expect(await readFile(file, 'utf8'), file).toMatch(
        /^# yaml-language-server: \$schema=\.\.\/schemas\/experiment\.schema\.json/,
      );
    }
  });
});

describe('report schema', () => {
  it('describes the json report, empty and full', async () => {
    const schema = JSON.parse(
      await readFile(path.join(root, 'schemas/report.schema.json'), 'utf8'),
    ) as object;
    const empty = buildReport({ file: 'x.jsonl', loops: [], warnings: [] });
    expect(checkAgainstSchema(schema, empty)).toEqual([]);
    const loaded = await loadExperiment({ file: path.join(root, 'experiments/quickstart.yaml'), cwd: root });
    const full = buildReport({
      file: 'x.jsonl',
      header: {
        kind: 'header',
        format: 'canary.result/v1',
        tool: { name: 'canary', version: '0.0.0' },
        created: '2026-11-26T10:00:00.000Z',
        experimentHash: 'sha256:0',
        firstLoop: 1,
        experiment: loaded.experiment!,
      },
      loops: [
        {
          kind: 'loop',
          loop: 1,
          experimentHash: 'sha256:0',
          experimentStart: '2026-11-26T10:00:00.000Z',
          start: '2026-11-26T10:00:00.000Z',
          end: '2026-11-26T10:00:01.000Z',
          durationMs: 1000,
          status: 'completed',
          versions: ['baseline', 'candidate'],
          tasks: [{ id: 'assess', task: 'assess', status: 'completed', durationMs: 1 }],
          metrics: [{ 'q/latency-mean': { value: 3 } }, { 'q/latency-mean': { value: null, reason: 'NaN' } }],
          metricInfo: { 'q/latency-mean': { units: 'ms' } },
          slos: [
            { metric: 'q/latency-mean', op: '<=', limit: 25, version: 0, value: 3, status: 'pass' },
            {
              metric: 'q/latency-mean',
              op: '<=',
              limit: 25,
              version: 1,
              value: null,
              status: 'nodata',
              reason: 'NaN',
            },
          ],
        },
      ],
      warnings: [],
    });
    expect(checkAgainstSchema(schema, full)).toEqual([]);
    expect(full.verdict).toBe('inconclusive');
    expect(full.exitCode).toBe(5);
    expect(full.versions[1]!.metricErrors).toEqual({ 'q/latency-mean': 'NaN' });
  });
});
