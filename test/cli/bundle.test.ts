import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinSchemas } from '../../src/config/precompile-validators.js';
import { schemaKey } from '../../src/config/schema-check.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { runCli, type CliResult } from './cli-harness.js';

// What start-up depends on, checked without timing it (bench/startup/startup.mjs times it): bin/run.js
// runs the bundle, `validate` loads only the bundle's chunks it needs, and the built-in schemas come
// precompiled. `npm test` builds first.

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundleDir = path.join(root, 'dist', 'bundle');

/** Packages that only running a loop needs; `validate` must not load them. */
const runOnlyPackages = ['@kubernetes/client-node', 'undici', 'hdr-histogram-js', 'autocannon', 'typescript'];

interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}

/** Files Node loaded as modules, from its NODE_DEBUG=esm,module trace on stderr. */
function loadedFiles(stderr: string): { esm: string[]; commonjs: string[] } {
  const esm = [...stderr.matchAll(/Translating \w+ (file:\/\/\S+)/g)].map((m) => fileURLToPath(m[1]!));
  const commonjs = [...stderr.matchAll(/load "([^"]+)" for module/g)].map((m) => m[1]!);
  return { esm, commonjs };
}

describe('the bundled CLI', () => {
  let validate: CliResult;
  let loaded: { esm: string[]; commonjs: string[] };
  beforeAll(async () => {
    validate = await runCli(['validate', 'experiments/sklearn.yaml'], {
      cwd: root,
      env: { NODE_DEBUG: 'esm,module' },
    });
    loaded = loadedFiles(validate.stderr);
  });

  it('is what bin/run.js runs: every module validate loads is a chunk of dist/bundle/', () => {
    expect(validate.code).toBe(0);
    expect(validate.stderr).toContain('experiments/sklearn.yaml: valid (0 errors');
    expect(loaded.esm).toContain(path.join(bundleDir, 'main.js'));
    expect(loaded.esm).toContain(path.join(bundleDir, 'commands.js'));
    const outside = loaded.esm.filter((file) => path.dirname(file) !== bundleDir);
    expect(outside).toEqual([path.join(root, 'bin', 'run.js')]);
    expect(loaded.commonjs).toEqual([]);
  });

  it('validate loads no chunk that holds what only running a loop needs', () => {
    const metafile = JSON.parse(readFileSync(path.join(bundleDir, 'metafile.json'), 'utf8')) as Metafile;
    const sourcesOf = (file: string) =>
      Object.keys(metafile.outputs[path.relative(root, file)]?.inputs ?? {});
    const loadedSources = loaded.esm.filter((file) => path.dirname(file) === bundleDir).flatMap(sourcesOf);
    expect(loadedSources).toContain('src/config/load-experiment.ts');
    for (const name of runOnlyPackages) {
      expect(loadedSources.filter((source) => source.includes(`node_modules/${name}/`))).toEqual([]);
    }
    // ...while the bundle has them, for the commands that run loops.
    const allSources = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
    for (const name of ['@kubernetes/client-node', 'undici', 'hdr-histogram-js']) {
      expect(allSources.some((source) => source.includes(`node_modules/${name}/`))).toBe(true);
    }
  });

  it('carries the precompiled validator of every built-in schema as the sources define it', () => {
    const code = readdirSync(bundleDir)
      .filter((name) => name.endsWith('.js'))
      .map((name) => readFileSync(path.join(bundleDir, name), 'utf8'))
      .join('\n');
    for (const schema of builtinSchemas()) expect(code).toContain(JSON.stringify(schemaKey(schema)));
  });

  it("ships oclif's manifest of the commands in the sources, for this version", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8')) as {
      version: string;
      commands: Record<string, { flags: object }>;
    };
    const pjson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(manifest.version).toBe(pjson.version);
    expect(Object.keys(manifest.commands).sort()).toEqual(Object.keys(COMMANDS).sort());
    for (const [id, command] of Object.entries(COMMANDS))
      expect(Object.keys(manifest.commands[id]!.flags).sort()).toEqual(
        Object.keys(command.flags ?? {}).sort(),
      );
  });
});
