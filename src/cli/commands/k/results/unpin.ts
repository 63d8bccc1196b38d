import { Args } from '@oclif/core';
import { CanaryCommand } from '../../../base-command.js';
import { kubeFlags } from '../launch.js';

export default class KResultsUnpin extends CanaryCommand {
  static override summary = "Remove a pin from a group's in-cluster results";
  static override description =
    "Like `canary results unpin`, on the group's result store; the loop is folded into the aggregates like any other once it is old.";
  static override examples = ['<%= config.bin %> k results unpin golden -g sklearn'];
  static override args = {
    name: Args.string({ description: 'Pin name', required: true }),
  };
  static override flags = { ...kubeFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KResultsUnpin);
    const { connectGroup } = await import('../../../../k8s/group-results.js');
    const { markGroup } = await import('../../../../k8s/group-marks.js');
    const { unpinInStore } = await import('../../../../results/cluster-store-marks.js');
    const target = connectGroup({ ...flags, env: process.env });
    this.log(await markGroup(target, (store, label) => unpinInStore(store, label, args.name)));
  }
}
