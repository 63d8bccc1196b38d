import { Args, Flags } from '@oclif/core';
import { CanaryCommand } from '../base-command.js';

export default class Diff extends CanaryCommand {
  static override summary = 'Compare two loops: every metric and every SLO verdict, per version';
  static override description = `A is the older side, B the newer. Two files: their latest valid loops. One file: --loops A,B, or --pinned NAME (the pinned loop against the latest valid one). Versions are matched by name; versions on one side only are listed. SLO changes come first: regressed (pass -> fail), fixed (fail -> pass), changed, added, removed. \`-o json\` is a stable contract: schemas/diff.schema.json.

EXIT CODES
  0    the diff was printed (whatever it shows)
  1    with --fail-on-regression: an SLO went from pass to fail, and B's verdict gates (an SLO in warn or observe mode does not count)
  2    usage error: bad flags, a loop or pin the file does not have, a missing result file
  7    a result file with a damaged line (file:line) or a newer format`;
  static override examples = [
    '<%= config.bin %> diff canary-results/main.jsonl canary-results/pr.jsonl',
    '<%= config.bin %> diff canary-results/sklearn-iris.jsonl --loops 3,7',
    '<%= config.bin %> diff --pinned golden -o markdown',
    '<%= config.bin %> diff --pinned golden --fail-on-regression',
  ];
  static override args = {
    a: Args.string({ description: 'Result file (A; also B when no second file is given)' }),
    b: Args.string({ description: 'Second result file (B)' }),
  };
  static override flags = {
    loops: Flags.string({ description: 'Loops A,B to compare (numbers or latest), e.g. 3,7' }),
    pinned: Flags.string({ description: 'Loop A is the one pinned under this name (canary results pin)' }),
    output: Flags.string({
      char: 'o',
      description: 'Output format',
      options: ['text', 'json', 'markdown'],
      default: 'text',
    }),
    'fail-on-regression': Flags.boolean({
      description: 'Exit 1 when an SLO went from pass to fail',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Diff);
    const { selectSides, parseLoopPair } = await import('../../diff/select-sides.js');
    const { diffLoops } = await import('../../diff/diff-loops.js');
    const { renderDiff } = await import('../../diff/render-diff.js');
    const { findResultsFile } = await import('../find-results.js');
    const files: [string] | [string, string] =
      args.b !== undefined
        ? [args.a!, args.b]
        : [args.a ?? (await findResultsFile(process.cwd(), undefined))];
    const { a, b, warnings } = await selectSides({
      files,
      ...(flags.loops !== undefined ? { loops: parseLoopPair(flags.loops) } : {}),
      ...(flags.pinned !== undefined ? { pinned: flags.pinned } : {}),
    });
    for (const warning of warnings) this.logToStderr(`canary: ${warning}`);
    const diff = diffLoops(a, b);
    process.stdout.write(
      flags.output === 'json'
        ? `${JSON.stringify(diff, null, 2)}\n`
        : renderDiff(diff, flags.output as 'text' | 'markdown'),
    );
    if (flags['fail-on-regression'] && diff.summary.gatingRegressions > 0) this.exit(1);
  }
}
