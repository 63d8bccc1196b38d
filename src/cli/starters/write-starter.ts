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
  // A path the user chose that cannot be written is their mistake to fix, not a crash.
  const unwritable = (error: unknown) =>
    new UsageError(
      `cannot write ${options.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      ['choose a file in a directory you can write to'],
    );
  // mkdir says EEXIST when a file stands where a directory should: not the "already exists" below.
  await mkdir(path.dirname(target), { recursive: true }).catch((error: unknown) => {
    throw unwritable(error);
  });
  try {
    // 'wx' refuses an existing file atomically: no window between a check and the write.
    await writeFile(target, text, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(error);
    throw new UsageError(`${options.file} already exists`, [
      `canary init ${options.file} --force overwrites it; or name another file: canary init other.yaml`,
    ]);
  }
  return path.relative(options.cwd, target) || options.file;
}

/** The installed experiment schema, relative to the new file, so editors complete without network. */
function schemaReference(target: string): string {
  const schema = path.join(packageRoot, 'schemas', 'experiment.schema.json');
  return path.relative(path.dirname(target), schema).split(path.sep).join('/');
}
