import { CanaryCommand } from '../../base-command.js';
import { loopArgs, pinNameFlag, resultsFileFlag } from '../../shared-flags.js';

export default class ResultsPin extends CanaryCommand {
  static override summary = 'Pin a loop under a name (a baseline such as golden)';
  static override description =
    'Appends a pin mark to the result file; nothing recorded is rewritten. Pinning a name again moves it. A pinned loop is never compacted away by retention, and `canary diff --pinned NAME` compares the latest loop with it.';
  static override examples = [
    '<%= config.bin %> results pin 7 --as golden',
    '<%= config.bin %> results pin latest --as golden -r canary-results/sklearn-iris.jsonl',
  ];
  static override args = loopArgs;
  static override flags = {
    ...pinNameFlag,
    ...resultsFileFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ResultsPin);
    const { findResultsFile } = await import('../../find-results.js');
    const { pinLoop } = await import('../../../results/write-marks.js');
    this.log(await pinLoop(await findResultsFile(process.cwd(), flags.results), args.loop, flags.as));
  }
}
