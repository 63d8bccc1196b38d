import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

/**
 * `canary validate --no-plugins` is what the README offers for untrusted files: it must end, whatever
 * the file holds. Each of these hung it before templates had a budget (the harness kills at 60 s).
 */
let dir: string;
const NESTED_NUNJUCKS = '{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}';
const NESTED_GO = '{{ range until 10000 }}{{ range until 10000 }}{{ end }}{{ end }}';

const withTemplate = (file: string) => `apiVersion: canary/v1
kind: Experiment
metadata: {name: loops}
spec:
  tasks:
    - task: custommetrics
      with:
        templates: {t: ${file}}
`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-template-budget-cli-'));
  await writeFile(
    path.join(dir, 'value.yaml'),
    `apiVersion: canary/v1
kind: Experiment
metadata: {name: loops}
spec:
  tasks:
    - run: "echo ${NESTED_NUNJUCKS}"
`,
  );
  await writeFile(
    path.join(dir, 't.njk'),
    `# canary-template: nunjucks\nurl: http://127.0.0.1:1/q\n${NESTED_NUNJUCKS}\nmetrics:\n- name: m\n  jqExpression: .a\n`,
  );
  await writeFile(
    path.join(dir, 't.tpl'),
    `url: http://127.0.0.1:1/q\n${NESTED_GO}\nmetrics:\n- name: m\n  jqExpression: .a\n`,
  );
  await writeFile(path.join(dir, 'nunjucks-file.yaml'), withTemplate('t.njk'));
  await writeFile(path.join(dir, 'go-file.yaml'), withTemplate('t.tpl'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validate --no-plugins ends on runaway templates, with exit 3 and a position', () => {
  it.each([
    [
      'a value',
      'value.yaml',
      /^value\.yaml:6:12 +error +spec\.tasks\[0\]\.run: template: the template stopped after 1,000,000 steps/m,
    ],
    [
      'a nunjucks file template',
      'nunjucks-file.yaml',
      /^nunjucks-file\.yaml:8:24 +error .*\(t\.njk:3:\d+\), version 0: the template stopped after 1,000,000 steps/m,
    ],
    [
      'a Go file template',
      'go-file.yaml',
      /^go-file\.yaml:8:24 +error .*\(t\.tpl:2:\d+\), version 0: the template stopped after 1,000,000 steps/m,
    ],
  ])('%s', { timeout: 90_000 }, async (_name, file, diagnostic) => {
    const result = await runCli(['validate', '--no-plugins', file], { cwd: dir });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(3);
    expect(result.stdout + result.stderr).toMatch(diagnostic);
  });
});
