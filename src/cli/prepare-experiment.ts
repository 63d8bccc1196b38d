import { ConfigError } from '../errors.js';
import { hasErrors } from '../config/diagnostics.js';
import { collectValues } from '../config/values-input.js';
import { loadExperiment, type LoadedExperiment } from '../config/load-experiment.js';
import type { Experiment } from '../config/experiment.js';
import type { Plan } from '../plan/plan.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { podSettingsIgnoredHere } from '../config/from-values.js';
import { checkExperimentInput } from './experiment-input.js';

export interface ValueFlagValues {
  set: string[];
  'set-string': string[];
  values: string[];
  /** Name for an experiment whose input has none (an Iter8-shaped file, values). */
  name?: string;
}

export type ReadyExperiment = LoadedExperiment & {
  experiment: Experiment;
  plan: Plan;
  values: Record<string, unknown>;
};

/** Values, then the experiment through every validation stage; warnings printed, errors thrown. */
export async function prepareExperiment(
  file: string | undefined,
  flags: ValueFlagValues,
  cwd: string,
  warn: (line: string) => void,
): Promise<ReadyExperiment> {
  await checkExperimentInput(file !== undefined ? [file] : [], flags, cwd, 'run');
  const values = await collectValues(cwd, {
    files: flags.values,
    sets: flags.set,
    setStrings: flags['set-string'],
  });
  const loaded = await loadExperiment({
    ...(file !== undefined ? { file } : {}),
    cwd,
    values,
    env: process.env,
    ...(flags.name !== undefined ? { name: flags.name } : {}),
  });
  if (hasErrors(loaded.diagnostics) || !loaded.experiment || !loaded.plan) {
    throw new ConfigError(loaded.diagnostics, loaded.sourceLines);
  }
  for (const diagnostic of loaded.diagnostics) warn(formatDiagnostic(diagnostic, loaded.sourceLines));
  // With a file, values are the file's template inputs; without one, they are Iter8 chart values.
  const podOnly = file === undefined ? podSettingsIgnoredHere(values) : undefined;
  if (podOnly !== undefined) warn(`canary: note: ${podOnly}`);
  return { ...loaded, experiment: loaded.experiment, plan: loaded.plan, values };
}
