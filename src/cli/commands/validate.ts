import { Args, Flags } from '@oclif/core';
import { CanaryCommand, exitCodeHelp, valueFlags } from '../base-command.js';
import { ExitCode } from '../../exit-codes.js';

export default class Validate extends CanaryCommand {
  static override summary =
    'Check experiment files: YAML, schema, rules and plan, with file:line:column diagnostics';
  static override description = `Runs every stage that \`canary run\` runs before it starts (read, schema, normalize, rules, plan) and prints every problem, sorted by position. No task runs. Plugin modules named in \`spec.plugins\` are imported to read their input schemas, so their top-level code runs: validate files you do not trust with \`--no-plugins\`, which checks that each plugin module exists but leaves its tasks' inputs unchecked (a warning says so).\n\n${exitCodeHelp}`;
  static override examples = [
    '<%= config.bin %> validate experiments/sklearn.yaml',
    '<%= config.bin %> validate experiments/*.yaml',
    '<%= config.bin %> validate --set "tasks={http,assess}" --set http.url=http://127.0.0.1:8080',
    '<%= config.bin %> validate --no-plugins pull-request/experiment.yaml',
  ];
  static override strict = false;
  static override args = {
    file: Args.string({ description: 'Experiment files (none: build from --set values)' }),
  };
  static override flags = {
    ...valueFlags,
    plugins: Flags.boolean({
      description:
        "Import plugin modules to check their tasks' inputs (--no-plugins: do not run any plugin code)",
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Validate);
    const { collectValues } = await import('../../config/values-input.js');
    const { loadExperiment } = await import('../../config/load-experiment.js');
    const { hasErrors, summarizeDiagnostics } = await import('../../config/diagnostics.js');
    const { checkExperimentInput } = await import('../experiment-input.js');
    await checkExperimentInput(argv as string[], flags, process.cwd(), 'validate');
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
        importPlugins: flags.plugins,
        ...(flags.name !== undefined ? { name: flags.name } : {}),
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
