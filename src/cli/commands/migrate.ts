import { Args, Flags } from '@oclif/core';
import { CanaryCommand, exitCodeHelp } from '../base-command.js';

export default class Migrate extends CanaryCommand {
  static override summary = 'Print an Iter8 experiment file as a canary/v1 experiment, comments kept';
  static override description = `Reads an Iter8-shaped experiment file (a top-level \`spec\` that lists the tasks, as \`iter8 launch\` wrote it) and prints the same experiment as canary/v1 on stdout: the tasks move under \`spec.tasks\` with their comments, metadata.name is added (--name, else from the file name), keys Iter8 matched case-insensitively get canary's spelling (Upper: upper), \`SLOs()\` becomes \`slos()\`, and \`result\` (a record of an earlier run) is dropped. Each change is listed on stderr. canary runs Iter8-shaped files unchanged too; migrate is for keeping them as canary files.\n\n${exitCodeHelp}`;
  static override examples = ['<%= config.bin %> migrate experiment.yaml > canary-experiment.yaml'];
  static override args = {
    file: Args.string({ description: 'The Iter8 experiment file', required: true }),
  };
  static override flags = {
    name: Flags.string({ description: 'Experiment name (default: from the file name)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Migrate);
    const path = await import('node:path');
    const { readTextFile } = await import('../../config/read-text-file.js');
    const { experimentNameFor } = await import('../../config/load-experiment.js');
    const { migrateIter8 } = await import('../../config/migrate-iter8.js');
    const { CanaryError, UsageError } = await import('../../errors.js');
    const { ExitCode } = await import('../../exit-codes.js');
    const read = await readTextFile(path.resolve(process.cwd(), args.file));
    if (!read.ok)
      throw new UsageError(`cannot read ${args.file}: ${read.message}`, read.hint ? [read.hint] : []);
    const outcome = migrateIter8(read.text, experimentNameFor(args.file, flags.name));
    if (!outcome.ok) {
      throw new CanaryError(`${args.file}: ${outcome.message}`, {
        exitCode: ExitCode.invalidExperiment,
        hints: outcome.hint ? [outcome.hint] : [],
      });
    }
    process.stdout.write(outcome.text);
    for (const change of outcome.changes) this.logToStderr(`${args.file}: ${change}`);
  }
}
