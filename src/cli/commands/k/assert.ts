import { Flags } from '@oclif/core';
import { CanaryCommand, exitCodeHelp } from '../../base-command.js';
import { UsageError } from '../../../errors.js';
import { kubeFlags } from './launch.js';

export default class KAssert extends CanaryCommand {
  static override summary = "Assert conditions on the latest loop of a group's in-cluster results";
  static override description = `Like \`canary assert\`, on the group's result store in the cluster. With --timeout it polls until the conditions hold, the run is over (the Job completed or failed, or spec.maxLoops was reached), or time runs out; a CronJob never finishes, so for one only the timeout ends the wait.\n\n${exitCodeHelp}`;
  static override examples = [
    '<%= config.bin %> k assert -g default --completed --nofailure --slos',
    '<%= config.bin %> k assert -g sklearn -n models --slos --timeout 300s',
  ];
  static override flags = {
    ...kubeFlags,
    completed: Flags.boolean({ description: 'The latest loop ran every task', default: false }),
    nofailure: Flags.boolean({ description: 'No task of the latest loop failed', default: false }),
    slos: Flags.boolean({
      description: 'Every SLO of the latest loop holds for every version',
      default: false,
    }),
    timeout: Flags.string({ description: 'Keep polling this long (e.g. 60s) until the conditions hold' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(KAssert);
    if (!flags.completed && !flags.nofailure && !flags.slos) {
      throw new UsageError('nothing to assert', ['add one or more of --completed --nofailure --slos']);
    }
    const { parseDuration, DurationSyntaxError } = await import('../../../util/duration.js');
    let timeoutMs = 0;
    if (flags.timeout !== undefined) {
      try {
        timeoutMs = parseDuration(flags.timeout);
      } catch (error) {
        if (error instanceof DurationSyntaxError) throw new UsageError(`--timeout: ${error.message}`);
        throw error;
      }
    }
    const { connectGroup, pollGroupAssertions } = await import('../../../k8s/group-results.js');
    const target = connectGroup({ ...flags, env: process.env });
    const outcome = await pollGroupAssertions(target, flags, timeoutMs);
    for (const warning of outcome.warnings) this.logToStderr(`canary: ${warning}`);
    for (const line of outcome.lines)
      this.log(`${line.ok === true ? '✔' : line.ok === false ? '✘' : '?'} ${line.text}`);
    if (outcome.exitCode !== 0) this.exit(outcome.exitCode);
  }
}
