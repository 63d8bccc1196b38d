import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../../src/config/load-experiment.js';
import { withTempDir } from '../../engine/helpers.js';

async function diagnosticsOf(withBlock: string) {
  return withTempDir(async (dir) => {
    await writeFile(
      path.join(dir, 'e.yaml'),
      `apiVersion: canary/v1
kind: Experiment
metadata: {name: llm}
spec:
  tasks:
    - task: llm
      with:
${withBlock}
    - task: assess
      with:
        SLOs:
          upper: {llm/ttft-p90: 500, llm/tpot-mean: 50, llm/error-rate: 0}
`,
    );
    const loaded = await loadExperiment({ file: 'e.yaml', cwd: dir, env: {} });
    return loaded.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`);
  });
}

describe('canary validate: the llm task', () => {
  it('accepts a valid llm task and the SLOs on its metrics', async () => {
    expect(await diagnosticsOf('        url: http://127.0.0.1:8000/v1\n        maxTokens: 16')).toEqual([]);
  });

  it('points at the problems: both url and endpoints, numRequests with duration, a literal API key, a bad api', async () => {
    const diagnostics = await diagnosticsOf(
      [
        '        url: http://127.0.0.1:8000/v1',
        '        endpoints: {a: {url: http://127.0.0.1:8001/v1}}',
        '        numRequests: 5',
        '        duration: 10s',
        '        headers: {Authorization: Bearer sk-live}',
      ].join('\n'),
    );
    expect(diagnostics).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/error both url and endpoints are set/),
        expect.stringMatching(/^11:9 error numRequests and duration are both set/),
        expect.stringMatching(/^12:19 warning header Authorization looks like a credential/),
      ]),
    );
    expect(diagnostics.join('\n')).not.toContain('sk-live');
    const bad = await diagnosticsOf('        url: http://127.0.0.1:8000/v1\n        api: responses');
    expect(bad.join('\n')).toMatch(/^9:14 error must be one of "chat", "completions" \(got "responses"\)$/m);
  });
});

describe('canary run --dry-run: the llm task preview', () => {
  it('shows each version request, model and load, and header names without their values', async () => {
    const { llmTask } = await import('../../../src/tasks/llm/llm.js');
    const preview = await llmTask.preview!(
      {
        endpoints: {
          a: { url: 'http://127.0.0.1:8000/v1' },
          b: { url: 'http://127.0.0.1:8001/v1/', model: 'm2' },
        },
        api: 'completions',
        model: 'm1',
        headers: { 'X-Tenant': 'blue' },
        headersFrom: { Authorization: { env: 'KEY', prefix: 'Bearer ' } },
        numRequests: 5,
        concurrency: 2,
      },
      { experimentDir: process.cwd(), env: { KEY: 'sk-hidden' } },
    );
    expect(preview).toEqual([
      expect.objectContaining({
        version: 0,
        request: 'POST http://127.0.0.1:8000/v1/completions',
        model: 'm1',
      }),
      expect.objectContaining({
        version: 1,
        request: 'POST http://127.0.0.1:8001/v1/completions',
        model: 'm2',
      }),
    ]);
    expect((preview as Array<{ headers: string[] }>)[0]!.headers).toEqual(['x-tenant', 'authorization']);
    expect(JSON.stringify(preview)).not.toMatch(/sk-hidden|blue/);
    expect(JSON.stringify(preview)).toContain('5 requests back to back, 2 stream(s) at most');
  });
});
