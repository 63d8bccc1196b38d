#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (run by `npm run build`, after tsc): loading ~340 ES modules and
// their CommonJS dependencies one by one was most of canary's start-up time.
//
// - Entry points are what oclif imports: the CLI (main), the command table (package.json
//   oclif.commands.target) and the command_not_found hook (oclif.hooks).
// - `splitting` keeps each lazy `import()` a separate chunk, so a command loads only what it uses
//   (`validate` never loads the Kubernetes client, undici or the HDR histograms).
// - src/config/precompiled-validators.ts (empty) is replaced by ajv's standalone code for the
//   built-in schemas, generated from the tsc output: compiling them took most of `canary validate`.
// - oclif.manifest.json (oclif's list of commands with their flags and arguments) is written from
//   the bundled command table: without it oclif builds that list from every command class at each
//   start.
// - The metafile (dist/bundle/metafile.json) maps chunks to their sources; test/cli/bundle.test.ts
//   reads it to check what `validate` loads.
import { build } from 'esbuild';
import { Config, settings } from '@oclif/core';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateValidatorModule } from '../dist/config/precompile-validators.js';

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

/** Swaps the empty table of precompiled validators for the generated one. */
let validatorsReplaced = false;
const precompiledValidators = {
  name: 'precompiled-validators',
  setup(build) {
    build.onResolve({ filter: /^\.\/precompiled-validators\.js$/ }, (args) => {
      if (!args.importer.endsWith(path.join('src', 'config', 'schema-check.ts'))) return undefined;
      validatorsReplaced = true;
      return { path: 'precompiled-validators.js', namespace: 'generated' };
    });
    build.onLoad({ filter: /.*/, namespace: 'generated' }, () => ({
      contents: generateValidatorModule({ esm: true }),
      loader: 'js',
      resolveDir: path.join(root, 'src', 'config'), // for its imports of ajv's run-time helpers
    }));
  },
};

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
  plugins: [precompiledValidators],
  metafile: true,
  logLevel: 'warning',
});
if (!validatorsReplaced)
  throw new Error('src/config/schema-check.ts no longer imports ./precompiled-validators.js');
writeFileSync(path.join(outdir, 'metafile.json'), JSON.stringify(result.metafile));

// Built from the bundle just written, never from an older manifest (oclif would read that one).
const manifestFile = path.join(root, 'oclif.manifest.json');
rmSync(manifestFile, { force: true });
settings.enableAutoTranspile = false; // as in src/cli/main.ts
const config = await Config.load({ root });
const canary = config.plugins.get(config.pjson.name);
if (canary === undefined || canary.hasManifest || Object.keys(canary.manifest.commands).length === 0)
  throw new Error('oclif did not build the command manifest from dist/bundle/commands.js');
writeFileSync(manifestFile, `${JSON.stringify(canary.manifest, null, 2)}\n`);
