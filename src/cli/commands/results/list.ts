import { Flags } from '@oclif/core';
import { CanaryCommand } from '../../base-command.js';
import { resultsFileFlag } from '../../shared-flags.js';

export default class ResultsList extends CanaryCommand {
  static override summary = 'List the loops of a result file with their status, pins and invalid marks';
  static override examples = ['<%= config.bin %> results list', '<%= config.bin %> results list -o json'];
  static override flags = {
    ...resultsFileFlag,
    output: Flags.string({
      char: 'o',
      description: 'Output format',
      options: ['text', 'json'],
      default: 'text',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ResultsList);
    const { findResultsFile } = await import('../../find-results.js');
    const { readResults } = await import('../../../results/result-file.js');
    const { listLoops, renderLoopListing } = await import('../../../results/list-loops.js');
    const history = await readResults(await findResultsFile(process.cwd(), flags.results));
    for (const warning of history.warnings) this.logToStderr(`canary: ${warning}`);
    const listing = listLoops(history);
    process.stdout.write(
      flags.output === 'json' ? `${JSON.stringify(listing, null, 2)}\n` : renderLoopListing(listing),
    );
  }
}
