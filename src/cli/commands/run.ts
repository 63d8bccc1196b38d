import { Args, Flags } from '@oclif/core';
import { CanaryCommand, exitCodeHelp, valueFlags } from '../base-command.js';
import { githubSummaryFlag } from '../shared-flags.js';

export default class Run extends CanaryCommand {
  static override summary = 'Run an experiment: one loop, or cron loops with spec.schedule';
  static override description = `Validates the experiment, runs its tasks as a DAG, appends each loop to the result file (default canary-results/<name>.jsonl), and exits with the code \`canary assert --completed --nofailure --slos\` would give.\n\nWith --replay RESULTS nothing runs: the assess tasks judge the metrics RESULTS recorded again and the verdicts that change are printed (gate SLO edits in CI).\n\nWithout FILE the experiment is built from values, the way Iter8's chart did: --set "tasks={...}" --set <task>.<key>=...\n\n${exitCodeHelp}`;
  static override examples = [
    '<%= config.bin %> run experiments/quickstart.yaml',
    '<%= config.bin %> run experiments/sklearn.yaml --loops 3 --results /tmp/sklearn.jsonl',
    '<%= config.bin %> run experiments/sklearn.yaml --dry-run',
    '<%= config.bin %> run experiments/sklearn-local.yaml --record-fixtures test/fixtures/sklearn',
    '<%= config.bin %> run experiments/quickstart.yaml --json | jq -c \'select(.event == "loop-end")\'',
    '<%= config.bin %> run experiments/quickstart.yaml --replay experiments/recorded/quickstart.jsonl',
  ];
  static override args = {
    file: Args.string({ description: 'Experiment file (none: build from --set values)' }),
  };
  static override flags = {
    ...valueFlags,
    results: Flags.string({ description: 'Result file (default canary-results/<experiment>.jsonl)' }),
    fresh: Flags.boolean({
      description: 'Start a new result file; the old one is kept, renamed',
      default: false,
    }),
    loops: Flags.integer({
      description: 'Number of loops to run (default: spec.maxLoops, or one without a schedule)',
      min: 1,
    }),
    keep: Flags.integer({
      description:
        'Keep this many loops in full in the result file; older ones are compacted into aggregates (pinned loops stay). Default: spec.retention.keep, else keep all',
      min: 1,
    }),
    'dry-run': Flags.boolean({
      description: 'Print the compiled plan and exit; runs nothing',
      default: false,
    }),
    assert: Flags.boolean({
      description: 'Exit with the assertion code (--no-assert: exit 0 when the run itself worked)',
      default: true,
      allowNo: true,
    }),
    quiet: Flags.boolean({ char: 'q', description: 'No progress lines', default: false }),
    json: Flags.boolean({
      description:
        'Stream run events as JSON lines on stdout (experiment-start, loop-start, task-start, task-end, loop-end, wait, experiment-end); nothing else goes to stdout. With --replay: the replay report as JSON (-o json)',
      default: false,
    }),
    'record-fixtures': Flags.string({
      description:
        'Record every metrics query and its answer (secrets redacted) to DIR/<provider>.fixture.json, for offline replay with `fixture:` templates; the last loop is kept',
      helpValue: 'DIR',
    }),
    replay: Flags.string({
      description:
        "Judge the experiment's assess tasks again on the metrics recorded in RESULTS, loop by loop; queries nothing, writes nothing, prints the verdicts that change and exits with the replayed latest loop's assertion code",
      helpValue: 'RESULTS',
    }),
    'replay-loops': Flags.string({
      description:
        'With --replay: the loops to report: all (default), latest, or numbers such as 3,5 (earlier loops are still replayed, for failAfter streaks)',
      helpValue: 'all|latest|N,...',
    }),
    output: Flags.string({
      char: 'o',
      description: 'With --replay: output format (--json is -o json)',
      options: ['text', 'json', 'markdown'],
    }),
    ...githubSummaryFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Run);
    const { runFromCli } = await import('../run-experiment-command.js');
    const code = await runFromCli(args.file, flags, {
      log: (line) => this.log(line),
      warn: (line) => this.logToStderr(line),
    });
    if (code !== 0) this.exit(code);
  }
}
