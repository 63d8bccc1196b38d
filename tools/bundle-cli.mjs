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
// - Every library is bundled except the package's runtime `dependencies` (which npm installs next to
//   it): a library added to devDependencies folds into the bundle by itself; list one as a runtime
//   dependency only when it cannot be bundled (oclif loads its plugins by package name).
// - Whitespace and syntax are minified, names are not (12 MB -> 7 MB; stack traces keep function
//   names). Source maps ship without the sources' text (13 MB -> 4.4 MB); bin/run.js enables them
//   so a stack trace names src/...ts:line:column.
// - dist/bundle/THIRD_PARTY_NOTICES.md collects the licence of every bundled package (published
//   with the bundle, since the packages themselves are not installed).
import { build } from 'esbuild';
import { Config, settings } from '@oclif/core';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateValidatorModule } from '../dist/config/precompile-validators.js';
import { thirdPartyNotices } from './third-party-notices.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'bundle');
const pjson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const installedAlongside = Object.keys({
  ...pjson.dependencies,
  ...pjson.optionalDependencies,
  ...pjson.peerDependencies,
}).flatMap((name) => [name, `${name}/*`]);

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
    // jq runs on worker threads (src/metrics/backend/jq-pool.ts loads ./jq-worker.js beside its chunk).
    'jq-worker': 'src/metrics/backend/jq-worker.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  banner: { js: banner },
  // oclif requires these only to run TypeScript sources in development (NODE_ENV=development).
  external: ['typescript', 'ts-node', ...installedAlongside],
  sourcemap: 'linked',
  sourcesContent: false,
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [precompiledValidators],
  metafile: true,
  logLevel: 'warning',
});
if (!validatorsReplaced)
  throw new Error('src/config/schema-check.ts no longer imports ./precompiled-validators.js');
writeFileSync(path.join(outdir, 'metafile.json'), JSON.stringify(result.metafile));
writeFileSync(path.join(outdir, 'THIRD_PARTY_NOTICES.md'), thirdPartyNotices(root, result.metafile));

// Built from the bundle just written, never from an older manifest (oclif would read that one).
const manifestFile = path.join(root, 'oclif.manifest.json');
rmSync(manifestFile, { force: true });
settings.enableAutoTranspile = false; // as in src/cli/main.ts
const config = await Config.load({ root });
const canary = config.plugins.get(config.pjson.name);
if (canary === undefined || canary.hasManifest || Object.keys(canary.manifest.commands).length === 0)
  throw new Error('oclif did not build the command manifest from dist/bundle/commands.js');
writeFileSync(manifestFile, `${JSON.stringify(canary.manifest, null, 2)}\n`);
