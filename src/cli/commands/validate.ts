import { Args } from '@oclif/core';
import { CanaryCommand, exitCodeHelp, valueFlags } from '../base-command.js';
import { ExitCode } from '../../exit-codes.js';

export default class Validate extends CanaryCommand {
  static override summary =
    'Check experiment files: YAML, schema, rules and plan, with file:line:column diagnostics';
  static override description = `Runs every stage that \`canary run\` runs before it starts (read, schema, normalize, rules, plan) and prints every problem, sorted by position. Nothing is executed.\n\n${exitCodeHelp}`;
  static override examples = [
    '<%= config.bin %> validate experiments/sklearn.yaml',
    '<%= config.bin %> validate experiments/*.yaml',
    '<%= config.bin %> validate --set "tasks={http,assess}" --set http.url=http://127.0.0.1:8080',
  ];
  static override strict = false;
  static override args = {
    file: Args.string({ description: 'Experiment files (none: build from --set values)' }),
  };
  static override flags = { ...valueFlags };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Validate);
    const { collectValues } = await import('../../config/values-input.js');
    const { loadExperiment } = await import('../../config/load-experiment.js');
    const { hasErrors, summarizeDiagnostics } = await import('../../config/diagnostics.js');
    const values = await collectValues(process.cwd(), {
      files: flags.values,
      sets: flags.set,
      setStrings: flags['set-string'],
    });
    const files = (argv as string[]).length > 0 ? (argv as string[]) : [undefined];
    let invalid = 0;
    for (const file of files) {
      const loaded = await loadExperiment({
        ...(file !== undefined ? { file } : {}),
        cwd: process.cwd(),
        values,
        env: process.env,
      });
      this.printDiagnostics(loaded.diagnostics, loaded.sourceLines);
      const ok = !hasErrors(loaded.diagnostics);
      if (!ok) invalid++;
      const tasks = loaded.plan ? `, ${loaded.plan.tasks.length} tasks` : '';
      this.logToStderr(
        `${loaded.label}: ${ok ? 'valid' : 'invalid'} (${summarizeDiagnostics(loaded.diagnostics)}${tasks})`,
      );
    }
    if (invalid > 0) this.exit(ExitCode.invalidExperiment);
  }
}
