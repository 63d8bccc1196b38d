#!/usr/bin/env node
// The second half of `npm test`: the tests that spawn the built CLI or run it end to end again, on
// Node 24 (tools/node24.mjs). vitest itself runs on Node 24, so process.execPath, and with it every
// spawned `canary`, is Node 24 too. The unit tests are not repeated: they exercise no Node-specific
// behaviour that these do not, and CI's time is better spent elsewhere.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode24 } from './node24.mjs';

/** The CLI tests and the integration tests (demo, crash recovery, Kubernetes, servers on loopback). */
const node24Tests = [
  'test/cli',
  'test/demo',
  'test/crash',
  'test/k8s',
  'test/model-server',
  'test/tasks/http',
  'test/tasks/custommetrics.test.ts',
];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let node;
try {
  node = ensureNode24();
} catch (error) {
  console.error(`cannot run the Node 24 tests: ${error.message}`);
  process.exit(1);
}
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
console.error(
  `# the CLI and integration tests again, on Node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()}`,
);
const result = spawnSync(node, [vitest, 'run', ...node24Tests, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
