import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, UsageError } from '../errors.js';

/**
 * The result file to read: --results when given, else the one `canary run EXPERIMENT` writes when an
 * experiment file is given, else the only file in canary-results/. Guessing between several would
 * judge the wrong experiment, so that is an error with the choices.
 */
export async function findResultsFile(
  cwd: string,
  explicit: string | undefined,
  experimentFile?: string,
): Promise<string> {
  if (explicit) return path.resolve(cwd, explicit);
  if (experimentFile !== undefined) return resultsOfExperiment(cwd, experimentFile);
  const folder = path.join(cwd, 'canary-results');
  let names: string[];
  try {
    names = (await readdir(folder)).filter(
      (n) => /^[a-z0-9][-a-z0-9.]*\.jsonl$/.test(n) && !/\.\d{4}-\d\d-\d\dT/.test(n),
    );
  } catch {
    names = [];
  }
  if (names.length === 1) return path.join(folder, names[0]!);
  if (names.length === 0) {
    throw new UsageError('no result file found in ./canary-results', [
      'run an experiment first (`canary run FILE`), or name the file with --results PATH',
    ]);
  }
  throw new UsageError(`several result files in ./canary-results: ${names.join(', ')}`, [
    `choose one with --results, e.g. --results canary-results/${names[0]}`,
  ]);
}

/** Where `canary run FILE` (without --results) writes: canary-results/<metadata.name>.jsonl. */
async function resultsOfExperiment(cwd: string, file: string): Promise<string> {
  const { checkExperimentInput } = await import('./experiment-input.js');
  await checkExperimentInput([file], { set: [], 'set-string': [], values: [] }, cwd, 'report');
  const { loadExperiment } = await import('../config/load-experiment.js');
  const { defaultResultsPath } = await import('../results/result-file.js');
  const loaded = await loadExperiment({ file, cwd, importPlugins: false });
  if (!loaded.experiment) throw new ConfigError(loaded.diagnostics, loaded.sourceLines);
  return defaultResultsPath(cwd, loaded.experiment.metadata.name);
}
