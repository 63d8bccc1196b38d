import { Flags } from '@oclif/core';
import { CanaryCommand, exitCodeHelp } from '../base-command.js';

export default class Demo extends CanaryCommand {
  static override summary = 'Run the embedded quickstart experiment (no cluster needed) and print its report';
  static override description = `Runs experiments/quickstart.yaml from the canary package: two versions of a small HTTP service on loopback, measured, recorded, and judged against SLOs (error-count 0, latency-mean <= 25 ms, latency-p90 <= 40 ms). Make the candidate slow or failing to see an SLO fail.\n\n${exitCodeHelp}`;
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --canary-delay 50'];
  static override flags = {
    'canary-delay': Flags.integer({
      description: 'Milliseconds added to each candidate response',
      min: 0,
      default: 0,
    }),
    'canary-error-rate': Flags.string({
      description: 'Fraction (0..1) of candidate requests answered with 500',
      default: '0',
    }),
    results: Flags.string({ description: 'Result file (default canary-results/quickstart.jsonl)' }),
    quiet: Flags.boolean({ char: 'q', description: 'No progress lines', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    const errorRate = Number(flags['canary-error-rate']);
    if (!Number.isFinite(errorRate) || errorRate < 0 || errorRate > 1) {
      const { UsageError } = await import('../../errors.js');
      throw new UsageError(
        `--canary-error-rate must be a number from 0 to 1 (got ${flags['canary-error-rate']})`,
      );
    }
    const path = await import('node:path');
    const { packageRoot } = await import('../../version.js');
    const { prepareExperiment } = await import('../prepare-experiment.js');
    const { runPrepared } = await import('../run-experiment-command.js');
    const { readResults, defaultResultsPath } = await import('../../results/result-file.js');
    const { renderReport } = await import('../../report/render-report.js');
    const output = { log: (line: string) => this.log(line), warn: (line: string) => this.logToStderr(line) };
    const file = path.join(packageRoot, 'experiments', 'quickstart.yaml');
    const sets = [`candidateDelayMs=${flags['canary-delay']}`, `candidateErrorRate=${errorRate}`];
    const ready = await prepareExperiment(
      file,
      { set: sets, 'set-string': [], values: [] },
      process.cwd(),
      output.warn,
    );
    const results = flags.results ?? defaultResultsPath(process.cwd(), ready.experiment.metadata.name);
    const code = await runPrepared(
      ready,
      { results, fresh: false, assert: true, quiet: flags.quiet, source: file },
      output,
    );
    this.log(renderReport(await readResults(path.resolve(results)), 'text'));
    if (code !== 0) this.exit(code);
  }
}
