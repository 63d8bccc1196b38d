import { Flags } from '@oclif/core';
import { CanaryCommand, exitCodeHelp } from '../../base-command.js';
import { kubeFlags } from './launch.js';
import { defaultKeptLoops } from '../../../results/cluster-store.js';

export default class KRun extends CanaryCommand {
  static override summary =
    "Run one loop of a group's experiment and record it in the cluster (what the pod runs)";
  static override description = `Reads the experiment Secret of the group, validates it, runs one loop numbered after the last one in the group's result store, and appends the loop there (the pod's name from POD_NAME, else HOSTNAME). Files launch carried (plugins, templates, fixtures, payloads) are written back where the experiment expects them, secret files are linked from their read-only mounts (CANARY_SECRET_FILES_DIR), and \`baseline: {pinned: NAME}\` judges against the store's pins (\`canary k results pin\`).\n\nExits 0 whenever the loop was recorded, whatever its verdict: a CronJob pod that exits non-zero is a failed Job, which would turn every violated SLO into Job-failure noise; judge the results with \`canary k assert\`. Non-zero only when the loop could not be run or recorded: 2 usage, 3 invalid experiment, 4 the experiment or the store could not be read or written, 130/143 interrupted (the interrupted loop is still recorded).\n\n${exitCodeHelp}`;
  static override examples = ['<%= config.bin %> k run -g default'];
  static override flags = {
    ...kubeFlags,
    keep: Flags.integer({
      description: 'Loops kept in full in the result store; older ones are summarized',
      min: 1,
      default: defaultKeptLoops,
    }),
    quiet: Flags.boolean({ char: 'q', description: 'No progress lines', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(KRun);
    const { connectGroup, storeLabel } = await import('../../../k8s/group-results.js');
    const { runInPod } = await import('../../../k8s/run-in-pod.js');
    const { ConsoleObserver } = await import('../../console-observer.js');
    const { assertConditions, experimentState, formatAssertionLine } =
      await import('../../../results/assertions.js');
    const { ExitCode } = await import('../../../exit-codes.js');
    const target = connectGroup({ ...flags, env: process.env });
    const warn = (line: string) => this.logToStderr(line);

    const controller = new AbortController();
    let received: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) process.exit(signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated);
      received = signal;
      warn(`canary: ${signal} received: recording the current loop as interrupted`);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let outcome;
    try {
      outcome = await runInPod({
        target,
        env: process.env,
        signal: controller.signal,
        log: warn,
        keep: flags.keep,
        observers: flags.quiet ? [] : [new ConsoleObserver(warn)],
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (outcome.status === 'skipped') {
      warn(`canary: ${outcome.reason}`);
      return;
    }
    const { record, write } = outcome;
    warn(
      `canary: loop ${record.loop} recorded in ${storeLabel(target)}${outcome.pod ? ` (pod ${outcome.pod})` : ''}${write.attempts > 1 ? ` after ${write.attempts} attempts (another writer got in between)` : ''}`,
    );
    if (write.folded > 0) warn(`canary: ${write.folded} older loops summarized to keep the store small`);
    const judged = assertConditions(
      experimentState({ file: storeLabel(target), loops: [record], warnings: [] }, outcome.experiment),
      {
        completed: true,
        nofailure: true,
        slos: true,
      },
    );
    for (const line of judged.lines) warn(formatAssertionLine(line));
    if (received) this.exit(received === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated);
  }
}
