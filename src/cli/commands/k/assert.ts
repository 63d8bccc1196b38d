import { CanaryCommand, exitCodeHelp } from '../../base-command.js';
import { assertionFlags, readAssertionFlags } from '../../shared-flags.js';
import { formatAssertionLine } from '../../../results/assertions.js';
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
    ...assertionFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(KAssert);
    const { timeoutMs, ...request } = await readAssertionFlags(flags);
    const { connectGroup, pollGroupAssertions } = await import('../../../k8s/group-results.js');
    const target = connectGroup({ ...flags, env: process.env });
    const outcome = await pollGroupAssertions(target, request, timeoutMs);
    for (const warning of outcome.warnings) this.logToStderr(`canary: ${warning}`);
    for (const line of outcome.lines) this.log(formatAssertionLine(line));
    if (outcome.exitCode !== 0) this.exit(outcome.exitCode);
  }
}
