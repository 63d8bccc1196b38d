import { Args, Flags } from '@oclif/core';
import { CanaryCommand, exitCodeHelp, valueFlags } from '../base-command.js';
import { githubSummaryFlag } from '../shared-flags.js';

const retrospectiveHelp = `RETROSPECTIVE RUNS
  --at T evaluates one loop as of the past time T; --from T1 --to T2 --step D evaluates a loop at T1, T1+D, ... up to T2, back to back (at most 10000 loops). Times are RFC 3339 (2026-11-01T10:00:00Z, or an offset like +02:00) and not in the future; --at and --from/--to/--step exclude each other and --loops.
  Each loop is recorded with retrospective.at = its time (start and end stay wall-clock). custommetrics asks Prometheus instant queries as of that time (the time parameter, unless the template sets one) and counts elapsedTimeSeconds from startingTime, else from --from (--at: from T itself, so set startingTime); templates also get evaluationTime (RFC 3339) and evaluationTimestamp (Unix seconds). assess judges as usual.
  Tasks that act on the present (http, ready, run, notify, plugins that do not declare supportsRetrospective) are skipped, and what needs them still runs. spec.schedule and spec.maxLoops do not apply: the window decides the loops. The exit code judges the last loop. Give retrospective runs their own --results file when the experiment also runs live: their loops start the experiment at the first evaluation time.`;

export default class Run extends CanaryCommand {
  static override summary = 'Run an experiment: one loop, or cron loops with spec.schedule';
  static override description = `Validates the experiment, runs its tasks as a DAG, appends each loop to the result file (default canary-results/<name>.jsonl), and exits with the code \`canary assert --completed --nofailure --slos\` would give.\n\nWithout FILE the experiment is built from values, the way Iter8's chart did: --set "tasks={...}" --set <task>.<key>=...\n\nWith --replay RESULTS nothing runs: the assess tasks judge the metrics RESULTS recorded again and the verdicts that change are printed (gate SLO edits in CI).\n\n${retrospectiveHelp}\n\n${exitCodeHelp}`;
  static override examples = [
    '<%= config.bin %> run experiments/quickstart.yaml',
    '<%= config.bin %> run experiments/sklearn.yaml --loops 3 --results /tmp/sklearn.jsonl',
    '<%= config.bin %> run experiments/sklearn.yaml --dry-run',
    '<%= config.bin %> run experiments/sklearn-local.yaml --record-fixtures test/fixtures/sklearn',
    '<%= config.bin %> run experiments/quickstart.yaml --json | jq -c \'select(.event == "loop-end")\'',
    '<%= config.bin %> run experiments/sklearn.yaml --at 2026-11-01T10:00:00Z',
    '<%= config.bin %> run experiments/sklearn.yaml --from 2026-11-01T00:00:00Z --to 2026-11-08T00:00:00Z --step 1h',
    '<%= config.bin %> run experiments/quickstart.yaml --replay experiments/recorded/quickstart.jsonl',
  ];
  static override args = {
    file: Args.string({ description: 'Experiment file (none: build from --set values)' }),
  };
  static override flags = {
    ...valueFlags,
    results: Flags.string({
      char: 'r',
      description: 'Result file (default canary-results/<experiment>.jsonl)',
    }),
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
    at: Flags.string({
      description: 'Retrospective: one loop evaluating the metrics as of this past RFC 3339 time',
      helpGroup: 'RETROSPECTIVE',
    }),
    from: Flags.string({
      description: 'Retrospective: first evaluation time of a window (RFC 3339); needs --to and --step',
      helpGroup: 'RETROSPECTIVE',
    }),
    to: Flags.string({
      description: 'Retrospective: last evaluation time of the window, at most now (RFC 3339)',
      helpGroup: 'RETROSPECTIVE',
    }),
    step: Flags.string({
      description: 'Retrospective: time between evaluations in the window (e.g. 10m, 1h)',
      helpGroup: 'RETROSPECTIVE',
    }),
    'dry-run': Flags.boolean({
      description: 'Print the compiled plan and exit; runs nothing',
      default: false,
    }),
    'no-act': Flags.boolean({
      description:
        'Tasks that change the cluster (rollout) decide and record their decisions, but send no patch: a trial run',
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
