import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// No container engine runs here, so the Dockerfile is checked by building its file lists: the build
// context (the clone's files minus .dockerignore), what each COPY takes from it, and whether the
// build stage then holds everything `npm pack` packs and the build reads. The runtime stage must
// install that tarball, as a numeric non-root user.

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Instruction {
  keyword: string;
  args: string[];
}

interface Stage {
  name: string | undefined;
  instructions: Instruction[];
}

/** Dockerfile instructions by stage, with line continuations joined and comments dropped. */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword!.toUpperCase(), args: rest };
    if (instruction.keyword === 'FROM') {
      const as = rest.findIndex((arg) => arg.toUpperCase() === 'AS');
      stages.push({ name: as >= 0 ? rest[as + 1] : undefined, instructions: [] });
    }
    stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

/** Docker's .dockerignore rules (last match wins, `!` re-includes, a directory covers its files). */
function ignoredBy(rules: string[]) {
  const compiled = rules.map((rule) => {
    const negated = rule.startsWith('!');
    const pattern = (negated ? rule.slice(1) : rule).replace(/^\/+|\/+$/g, '');
    const source = pattern
      .split('/')
      .map((part) =>
        part === '**'
          ? '.*'
          : part
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]'),
      )
      .join('/');
    return { negated, regex: new RegExp(`^${source}(/.*)?$`) };
  });
  return (file: string) =>
    compiled.reduce((ignored, rule) => (rule.regex.test(file) ? !rule.negated : ignored), false);
}

const dockerignore = read('.dockerignore')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const isIgnored = ignoredBy(dockerignore);
const context = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file !== '' && !isIgnored(file));
const stages = parseDockerfile(read('Dockerfile'));
const [buildStage, runtimeStage] = [stages[0]!, stages.at(-1)!];

/** Files of the build context under a COPY source (a file or a directory). */
const contextFiles = (source: string) =>
  context.filter((file) => file === source || file.startsWith(`${source.replace(/\/$/, '')}/`));

/** The build stage's files after its COPYs, as paths relative to its WORKDIR. */
function buildStageFiles(): string[] {
  const files: string[] = [];
  for (const { keyword, args } of buildStage.instructions) {
    if (keyword !== 'COPY' || args.some((arg) => arg.startsWith('--from'))) continue;
    const sources = args.filter((arg) => !arg.startsWith('--')).slice(0, -1);
    const target = args.at(-1)!.replace(/^\.\//, '');
    const destination = target === '' || target === '.' ? './' : target;
    for (const source of sources) {
      for (const file of contextFiles(source)) {
        if (destination.endsWith('/')) {
          const relative = file === source ? path.basename(file) : path.relative(path.dirname(source), file);
          files.push(path.posix.join(destination, relative));
        } else
          files.push(
            file === source ? destination : path.posix.join(destination, file.slice(source.length + 1)),
          );
      }
    }
  }
  return files;
}

describe('the Dockerfile', () => {
  it('every COPY from the build context finds its files there (not excluded by .dockerignore)', () => {
    const missing: string[] = [];
    for (const stage of stages)
      for (const { keyword, args } of stage.instructions)
        if (keyword === 'COPY' && !args.some((arg) => arg.startsWith('--from')))
          for (const source of args.filter((arg) => !arg.startsWith('--')).slice(0, -1))
            if (contextFiles(source).length === 0) missing.push(source);
    expect(missing).toEqual([]);
  });

  it('the build stage holds every file npm pack packs (but the build output) and every build tool', () => {
    const files = new Set(buildStageFiles());
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
      }),
    ) as [{ files: { path: string }[] }];
    const builtByTheStage = (file: string) => file.startsWith('dist/') || file === 'oclif.manifest.json';
    // npm packs README and LICENSE whenever they exist; the image has no use for them.
    const docs = (file: string) => /^(readme|licen[cs]e|changelog)(\.|$)/i.test(file);
    const absent = packed[0].files
      .map((file) => file.path)
      .filter((file) => !builtByTheStage(file) && !docs(file) && !files.has(file));
    expect(absent).toEqual([]);
    // What `npm run build` reads: the tsconfigs, the sources, the bundler and what it imports.
    const bundler = read('tools/bundle-cli.mjs');
    const toolImports = [...bundler.matchAll(/from '\.\/([\w.-]+\.mjs)'/g)].map((m) => `tools/${m[1]}`);
    expect(toolImports.length).toBeGreaterThan(0);
    for (const file of [
      'tsconfig.json',
      'tsconfig.build.json',
      'tools/bundle-cli.mjs',
      'src/cli/main.ts',
      ...toolImports,
    ])
      expect(files.has(file), file).toBe(true);
  });

  it('the runtime stage installs the packed tarball and runs canary as a numeric non-root user', () => {
    const build = buildStage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args.join(' '));
    expect(build.some((run) => run.includes('npm pack'))).toBe(true);
    const copies = runtimeStage.instructions.filter((i) => i.keyword === 'COPY');
    expect(copies.map((i) => i.args.join(' '))).toEqual([
      `--from=${buildStage.name} /tmp/canary-slo.tgz /tmp/`,
    ]);
    const runs = runtimeStage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args.join(' '));
    expect(runs.some((run) => /npm install --global --omit=dev .*\/tmp\/canary-slo\.tgz/.test(run))).toBe(
      true,
    );
    const user = runtimeStage.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args[0];
    expect(user).toMatch(/^[1-9]\d*:\d+$/);
    const entrypoint = runtimeStage.instructions.find((i) => i.keyword === 'ENTRYPOINT')?.args.join(' ');
    expect(entrypoint).toBe('["canary"]');
  });
});
