import { Flags } from '@oclif/core';
import { CanaryCommand, exitCodeHelp } from '../../base-command.js';
import { kubeFlags } from './launch.js';

export default class KDelete extends CanaryCommand {
  static override summary = 'Delete every Kubernetes object of an experiment group';
  static override description = `Deletes, by the labels app.kubernetes.io/managed-by=canary and canary.dev/group=<group>: the CronJob, the Jobs with their pods, the Role and RoleBinding (also those in the namespaces the ready tasks read in), the ServiceAccount, and the experiment and results Secrets. Archived results Secrets (canary-<group>-results-<timestamp>, from relaunches) are kept unless --all. Says so when there was nothing to delete.

${exitCodeHelp}`;
  static override examples = [
    '<%= config.bin %> k delete',
    '<%= config.bin %> k delete -g nightly -n ml',
    '<%= config.bin %> k delete -g nightly --all',
  ];
  static override flags = {
    ...kubeFlags,
    all: Flags.boolean({ description: 'Also delete archived results Secrets', default: false }),
    output: Flags.string({ char: 'o', description: 'Report format', options: ['text', 'json'] }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(KDelete);
    const { deleteFromCli } = await import('../../../k8s/delete-group.js');
    await deleteFromCli({
      flags: { ...flags, output: flags.output as 'text' | 'json' | undefined },
      env: process.env,
      output: { log: (text) => this.log(text) },
    });
  }
}
