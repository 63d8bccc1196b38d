import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

// What `npm pack` publishes, checked from the build (`npm test` builds first) and npm's own file list:
// the bundle alone (no second copy in tsc output), its source maps, its licence notices, and a bundle
// that imports no package npm would not install. tools/pack-smoke.sh installs and runs the tarball.

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundleDir = path.join(root, 'dist', 'bundle');
const pjson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

/** Optional requires inside bundled libraries, each behind a try/catch or a feature flag. */
const optionalImports = ['bufferutil', 'utf-8-validate', 'encoding', 'chokidar', 'typescript', 'ts-node'];

interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<string, { imports?: { path: string; external?: boolean }[] }>;
}

const packageName = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;

describe('the published package', () => {
  let files: string[];
  beforeAll(async () => {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    });
    files = (JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((file) => file.path);
  }, 120_000);

  it('holds what the CLI reads at run time', () => {
    for (const file of [
      'bin/run.js',
      'package.json',
      'oclif.manifest.json',
      'dist/bundle/main.js',
      'dist/bundle/commands.js',
      'dist/bundle/suggest-command.js',
      'dist/bundle/main.js.map',
      'dist/bundle/THIRD_PARTY_NOTICES.md',
      'schemas/experiment.schema.json',
      'experiments/demo.yaml',
      'plugins/file-metrics.js',
    ])
      expect(files).toContain(file);
  });

  it('ships one copy of the code: the bundle, not the tsc output or the build-only files', () => {
    expect(files.filter((file) => file.startsWith('dist/') && !file.startsWith('dist/bundle/'))).toEqual([]);
    expect(files).not.toContain('dist/bundle/metafile.json');
    expect(files.filter((file) => /^(src|test|tools|bench)\//.test(file))).toEqual([]);
  });

  it('the bundle imports only Node built-ins, runtime dependencies and optional libraries', () => {
    const metafile = JSON.parse(readFileSync(path.join(bundleDir, 'metafile.json'), 'utf8')) as Metafile;
    const external = new Set(
      Object.values(metafile.outputs).flatMap((output) =>
        (output.imports ?? []).filter((i) => i.external).map((i) => i.path),
      ),
    );
    const allowed = new Set([...builtinModules, ...Object.keys(pjson.dependencies), ...optionalImports]);
    const unexpected = [...external].filter(
      (specifier) => !specifier.startsWith('node:') && !allowed.has(packageName(specifier)),
    );
    expect(unexpected).toEqual([]);
    // The ones the bundler may leave out must really be optional: none is declared anywhere.
    expect(optionalImports.filter((name) => name in pjson.dependencies)).toEqual([]);
  });

  it('source maps point at the TypeScript sources, without their text, and bin/run.js enables them', () => {
    const map = JSON.parse(readFileSync(path.join(bundleDir, 'main.js.map'), 'utf8')) as {
      sources: string[];
      sourcesContent?: unknown;
    };
    expect(map.sources.some((source) => source.endsWith('src/cli/main.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
    const run = readFileSync(path.join(root, 'bin', 'run.js'), 'utf8');
    expect(run.indexOf('process.setSourceMapsEnabled(true)')).toBeGreaterThan(-1);
    expect(run.indexOf('process.setSourceMapsEnabled(true)')).toBeLessThan(
      run.indexOf('dist/bundle/main.js'),
    );
  });

  it('THIRD_PARTY_NOTICES names every bundled package with its licence text', () => {
    const metafile = JSON.parse(readFileSync(path.join(bundleDir, 'metafile.json'), 'utf8')) as Metafile;
    const notices = readFileSync(path.join(bundleDir, 'THIRD_PARTY_NOTICES.md'), 'utf8');
    const packageDirs = new Set(
      Object.keys(metafile.inputs)
        .map((input) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1])
        .filter((dir): dir is string => dir !== undefined),
    );
    expect(packageDirs.size).toBeGreaterThan(20);
    for (const dir of packageDirs) {
      const { name, version } = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
      };
      expect(notices).toContain(`| ${name}@${version} |`);
    }
    // The two largest bundled libraries' licence texts, verbatim.
    for (const dir of ['node_modules/@kubernetes/client-node', 'node_modules/jq-wasm']) {
      const license = ['LICENSE', 'LICENSE.md'].map((name) => path.join(root, dir, name)).find(existsSync);
      expect(license).toBeDefined();
      expect(notices).toContain(readFileSync(license!, 'utf8').trimEnd());
    }
  });
});
