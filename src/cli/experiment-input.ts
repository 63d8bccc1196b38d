import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { ValueFlagValues } from './prepare-experiment.js';

/**
 * Usage mistakes about where the experiment comes from, caught before anything is read: a file that
 * does not exist (exit 2, not "invalid experiment"), or neither a file nor values to build one from.
 */
export async function checkExperimentInput(
  files: readonly string[],
  flags: ValueFlagValues,
  cwd: string,
  command: string,
): Promise<void> {
  const values = flags.set.length + flags['set-string'].length + flags.values.length;
  if (files.length === 0 && values === 0) {
    throw new UsageError(
      `${command} needs an experiment: a file, or --set (or -f) values to build one from`,
      [
        `canary ${command} experiment.yaml   (canary init writes a starter; see experiments/)`,
        `canary ${command} --set "tasks={http,assess}" --set http.url=http://127.0.0.1:8080 --set assess.SLOs.upper.http/error-count=0`,
      ],
    );
  }
  for (const file of files) {
    const found = await stat(path.resolve(cwd, file)).catch(() => undefined);
    if (found === undefined) {
      throw new UsageError(`experiment file ${JSON.stringify(file)} not found`, [
        `the path is relative to the current directory (${cwd}); canary init ${file} writes a starter there`,
      ]);
    }
  }
}
