import { Args } from '@oclif/core';
import { CanaryCommand } from '../../base-command.js';
import { resultsFileFlag } from '../../shared-flags.js';

export default class ResultsUnpin extends CanaryCommand {
  static override summary = 'Remove a pin';
  static override description =
    'Appends an unpin mark to the result file. The loop itself stays; retention may compact it later.';
  static override examples = ['<%= config.bin %> results unpin golden'];
  static override args = {
    name: Args.string({ description: 'Pin name', required: true }),
  };
  static override flags = { ...resultsFileFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ResultsUnpin);
    const { findResultsFile } = await import('../../find-results.js');
    const { unpinLoop } = await import('../../../results/write-marks.js');
    this.log(await unpinLoop(await findResultsFile(process.cwd(), flags.results), args.name));
  }
}
