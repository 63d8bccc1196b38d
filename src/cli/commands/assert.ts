import { Args, Flags } from '@oclif/core';
import { CanaryCommand, exitCodeHelp } from '../base-command.js';
import { assertionFlags, githubSummaryFlag, readAssertionFlags, resultsFileFlag } from '../shared-flags.js';
import { formatAssertionLine } from '../../results/assertions.js';

export default class Assert extends CanaryCommand {
  static override summary =
    'Assert conditions on the latest loop of an experiment: completed, nofailure, SLOs';
  static override description = `Reads the result file and checks the asked conditions on its latest loop. With --timeout it polls until they hold, the run has ended, or time runs out.\n\n${exitCodeHelp}`;
  static override examples = [
    '<%= config.bin %> assert --completed --nofailure --slos',
    '<%= config.bin %> assert experiment.yaml --slos',
    '<%= config.bin %> assert --slos --explain',
    '<%= config.bin %> assert --results canary-results/sklearn-iris.jsonl --slos --timeout 120s',
  ];
  static override args = {
    experiment: Args.string({
      description:
        'Experiment file: read the result file `canary run EXPERIMENT` writes (default: --results)',
    }),
  };
  static override flags = {
    ...resultsFileFlag,
    ...assertionFlags,
    explain: Flags.boolean({
      description:
        'For every SLO that fails, is inconclusive or warns, print why (values, baseline, samples, test, policy)',
    }),
    ...githubSummaryFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Assert);
    const { timeoutMs, ...request } = await readAssertionFlags(flags);
    const { findResultsFile } = await import('../find-results.js');
    const { pollAssertions } = await import('../../results/poll-assertions.js');
    const file = await findResultsFile(process.cwd(), flags.results, args.experiment);
    const outcome = await pollAssertions(file, request, timeoutMs);
    for (const warning of outcome.warnings) this.logToStderr(`canary: ${warning}`);
    for (const line of outcome.lines) this.log(formatAssertionLine(line));
    if (flags.explain && outcome.latest) {
      const { explainVerdict } = await import('../../results/explain-verdict.js');
      const { verdictGate } = await import('../../results/records.js');
      const { showControlCharacters } = await import('../../util/show-control-characters.js');
      const latest = outcome.latest;
      const unsettled = latest.slos.filter(
        (verdict) => verdictGate(verdict) !== 'pass' && verdictGate(verdict) !== 'observe',
      );
      if (unsettled.length > 0) this.log(`loop ${latest.loop}: why`);
      for (const verdict of unsettled)
        for (const line of explainVerdict(verdict, latest.versions)) this.log(showControlCharacters(line));
    }
    if (flags['github-summary']) {
      const { writeGitHubSummary } = await import('../write-github-summary.js');
      await writeGitHubSummary(file, (line) => this.logToStderr(line));
    }
    if (outcome.exitCode !== 0) this.exit(outcome.exitCode);
  }
}
