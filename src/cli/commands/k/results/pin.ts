import { CanaryCommand } from '../../../base-command.js';
import { loopArgs, pinNameFlag } from '../../../shared-flags.js';
import { kubeFlags } from '../launch.js';

export default class KResultsPin extends CanaryCommand {
  static override summary =
    "Pin a loop of a group's in-cluster results under a name (a baseline such as golden)";
  static override description =
    "Like `canary results pin`, on the group's result store: the loop is kept whole however many loops follow, `k report` lists it, and `baseline: {pinned: NAME}` in the experiment judges against it in the pods. Pinning a name again moves it.";
  static override examples = ['<%= config.bin %> k results pin 7 --as golden -g sklearn'];
  static override args = loopArgs;
  static override flags = {
    ...kubeFlags,
    ...pinNameFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KResultsPin);
    const { connectGroup } = await import('../../../../k8s/group-results.js');
    const { markGroup } = await import('../../../../k8s/group-marks.js');
    const { pinInStore } = await import('../../../../results/cluster-store-marks.js');
    const target = connectGroup({ ...flags, env: process.env });
    this.log(await markGroup(target, (store, label) => pinInStore(store, label, args.loop, flags.as)));
  }
}
