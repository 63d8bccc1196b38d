import { CanaryCommand } from '../../../base-command.js';
import { loopArgs, invalidateReasonFlag } from '../../../shared-flags.js';
import { kubeFlags } from '../launch.js';

export default class KResultsInvalidate extends CanaryCommand {
  static override summary = "Mark a loop of a group's in-cluster results invalid: listed, never compared";
  static override description =
    "Like `canary results invalidate`, on the group's result store, with the reason. A pinned loop must be unpinned first.";
  static override examples = [
    '<%= config.bin %> k results invalidate 12 -g sklearn --reason "load generator ran on a throttled node"',
  ];
  static override args = loopArgs;
  static override flags = {
    ...kubeFlags,
    ...invalidateReasonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KResultsInvalidate);
    const { connectGroup } = await import('../../../../k8s/group-results.js');
    const { markGroup } = await import('../../../../k8s/group-marks.js');
    const { invalidateInStore } = await import('../../../../results/cluster-store-marks.js');
    const target = connectGroup({ ...flags, env: process.env });
    this.log(
      await markGroup(target, (store, label) => invalidateInStore(store, label, args.loop, flags.reason)),
    );
  }
}
