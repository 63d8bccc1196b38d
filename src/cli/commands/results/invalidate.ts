import { CanaryCommand } from '../../base-command.js';
import { loopArgs, invalidateReasonFlag, resultsFileFlag } from '../../shared-flags.js';

export default class ResultsInvalidate extends CanaryCommand {
  static override summary = 'Mark a loop invalid: listed, but left out of comparisons and trends';
  static override description =
    'Appends an invalidate mark to the result file, with the reason. Reports leave the loop out of their history and trends, `canary diff` never picks it as "latest", and it cannot be pinned. A pinned loop must be unpinned first.';
  static override examples = [
    '<%= config.bin %> results invalidate 12 --reason "load generator ran on a throttled node"',
  ];
  static override args = loopArgs;
  static override flags = {
    ...invalidateReasonFlag,
    ...resultsFileFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ResultsInvalidate);
    const { findResultsFile } = await import('../../find-results.js');
    const { invalidateLoop } = await import('../../../results/write-marks.js');
    this.log(
      await invalidateLoop(await findResultsFile(process.cwd(), flags.results), args.loop, flags.reason),
    );
  }
}
