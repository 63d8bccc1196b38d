#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (run by `npm run build`, after tsc): loading ~340 ES modules and
// their CommonJS dependencies one by one was most of canary's start-up time.
//
// - Entry points are what oclif imports: the CLI (main), the command table (package.json
//   oclif.commands.target) and the init hook (oclif.hooks.init).
// - `splitting` keeps each lazy `import()` a separate chunk, so a command loads only what it uses
//   (`validate` never loads the Kubernetes client, undici or the HDR histograms).
// - The metafile (dist/bundle/metafile.json) maps chunks to their sources; test/cli/bundle.test.ts
//   reads it to check what `validate` loads.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'bundle');

// CommonJS dependencies inside an ES module still expect require, __filename and __dirname
// (jq-wasm's Emscripten loader uses __dirname; oclif and others require Node built-ins).
const banner = [
  "import { createRequire as __canaryCreateRequire } from 'node:module';",
  "import { fileURLToPath as __canaryFileURLToPath } from 'node:url';",
  "import { dirname as __canaryDirname } from 'node:path';",
  'const require = __canaryCreateRequire(import.meta.url);',
  'const __filename = __canaryFileURLToPath(import.meta.url);',
  'const __dirname = __canaryDirname(__filename);',
].join(' ');

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'src/cli/main.ts',
    commands: 'src/cli/commands.ts',
    'suggest-command': 'src/cli/suggest-command.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  banner: { js: banner },
  // oclif requires these only to run TypeScript sources in development (NODE_ENV=development).
  external: ['typescript', 'ts-node'],
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(path.join(outdir, 'metafile.json'), JSON.stringify(result.metafile));
