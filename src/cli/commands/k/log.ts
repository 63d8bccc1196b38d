import { Flags } from '@oclif/core';
import { CanaryCommand } from '../../base-command.js';
import { kubeFlags } from './launch.js';

export default class KLog extends CanaryCommand {
  static override summary = "Print the logs of a group's pods, grouped by loop, oldest first";
  static override description =
    "Maps pods to loops through the group's result store and prints each pod's log under its loop. Says so when a pod has no logs yet, when a loop's pod is gone (the Job history limits remove old pods), which pods have not recorded a loop yet, and which Jobs Kubernetes stopped at their deadline (activeDeadlineSeconds).";
  static override examples = [
    '<%= config.bin %> k log -g default',
    '<%= config.bin %> k log -g default --loop 3',
  ];
  static override flags = {
    ...kubeFlags,
    loop: Flags.integer({ description: 'Only this loop', min: 1 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(KLog);
    const { connectGroup } = await import('../../../k8s/group-results.js');
    const { collectGroupLogs, formatGroupLogs } = await import('../../../k8s/group-logs.js');
    const target = connectGroup({ ...flags, env: process.env });
    const { findDeadlineExceeded, formatDeadlineExceeded } = await import('../../../k8s/job-deadline.js');
    const signal = AbortSignal.timeout(120_000);
    const entries = await collectGroupLogs(target, {
      ...(flags.loop !== undefined ? { loop: flags.loop } : {}),
      signal,
    });
    process.stdout.write(formatGroupLogs(entries));
    for (const hit of await findDeadlineExceeded(target, signal)) {
      process.stdout.write(`\n=== ${formatDeadlineExceeded(hit)}\n`);
    }
  }
}
