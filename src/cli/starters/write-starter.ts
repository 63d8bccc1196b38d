import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { packageRoot } from '../../version.js';
import { starters, type StarterName } from './index.js';

/** Writes a starter experiment; returns the path as the user should type it. */
export async function writeStarter(options: {
  file: string;
  template: StarterName;
  force: boolean;
  cwd: string;
}): Promise<string> {
  const target = path.resolve(options.cwd, options.file);
  const text = starters[options.template](schemaReference(target));
  try {
    await mkdir(path.dirname(target), { recursive: true });
    // 'wx' refuses an existing file atomically: no window between a check and the write.
    await writeFile(target, text, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new UsageError(`${options.file} already exists`, [
        `canary init ${options.file} --force overwrites it; or name another file: canary init other.yaml`,
      ]);
    }
    // A path the user chose that cannot be written is their mistake to fix, not a crash.
    throw new UsageError(`cannot write ${options.file}: ${code ?? (error as Error).message}`, [
      'choose a file in a directory you can write to',
    ]);
  }
  return path.relative(options.cwd, target) || options.file;
}

/** The installed experiment schema, relative to the new file, so editors complete without network. */
function schemaReference(target: string): string {
  const schema = path.join(packageRoot, 'schemas', 'experiment.schema.json');
  return path.relative(path.dirname(target), schema).split(path.sep).join('/');
}
