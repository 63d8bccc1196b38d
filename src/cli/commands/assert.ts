import { Flags } from '@oclif/core';
import { CanaryCommand, exitCodeHelp } from '../base-command.js';
import { UsageError } from '../../errors.js';

export default class Assert extends CanaryCommand {
  static override summary =
    'Assert conditions on the latest loop of an experiment: completed, nofailure, SLOs';
  static override description = `Reads the result file and checks the asked conditions on its latest loop. With --timeout it polls until they hold, the run has ended, or time runs out.\n\n${exitCodeHelp}`;
  static override examples = [
    '<%= config.bin %> assert --completed --nofailure --slos',
    '<%= config.bin %> assert --results canary-results/sklearn-iris.jsonl --slos --timeout 120s',
  ];
  static override flags = {
    results: Flags.string({ description: 'Result file (default: the only file in ./canary-results)' }),
    completed: Flags.boolean({ description: 'The latest loop ran every task', default: false }),
    nofailure: Flags.boolean({ description: 'No task of the latest loop failed', default: false }),
    slos: Flags.boolean({
      description: 'Every SLO of the latest loop holds for every version',
      default: false,
    }),
    timeout: Flags.string({
      description: 'Keep polling the result file this long (e.g. 60s) until the conditions hold',
    }),
    'github-summary': Flags.boolean({
      description:
        'In GitHub Actions, append the markdown report to the job summary (--no-github-summary: do not)',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Assert);
    if (!flags.completed && !flags.nofailure && !flags.slos) {
      throw new UsageError('nothing to assert', ['add one or more of --completed --nofailure --slos']);
    }
    const { parseDuration, DurationSyntaxError } = await import('../../util/duration.js');
    let timeoutMs = 0;
    if (flags.timeout !== undefined) {
      try {
        timeoutMs = parseDuration(flags.timeout);
      } catch (error) {
        if (error instanceof DurationSyntaxError) throw new UsageError(`--timeout: ${error.message}`);
        throw error;
      }
    }
    const { findResultsFile } = await import('../find-results.js');
    const { pollAssertions } = await import('../../results/poll-assertions.js');
    const file = await findResultsFile(process.cwd(), flags.results);
    const outcome = await pollAssertions(file, flags, timeoutMs);
    for (const warning of outcome.warnings) this.logToStderr(`canary: ${warning}`);
    for (const line of outcome.lines)
      this.log(`${line.ok === true ? '✔' : line.ok === false ? '✘' : '?'} ${line.text}`);
    if (flags['github-summary']) {
      const { writeGitHubSummary } = await import('../write-github-summary.js');
      await writeGitHubSummary(file, (line) => this.logToStderr(line));
    }
    if (outcome.exitCode !== 0) this.exit(outcome.exitCode);
  }
}
