import { Args, Flags } from '@oclif/core';
import { CanaryCommand, exitCodeHelp, valueFlags } from '../../base-command.js';

/** Where `canary k ...` commands talk to: kubectl's flags. */
export const kubeFlags = {
  group: Flags.string({
    char: 'g',
    description: 'Experiment group: names the Kubernetes objects (canary-<group>-...)',
    default: 'default',
  }),
  namespace: Flags.string({
    char: 'n',
    description:
      "Namespace (default: the kubeconfig context's; `k launch` takes the experiment's metadata.namespace first)",
  }),
  context: Flags.string({ description: 'kubeconfig context to use (default: its current-context)' }),
  kubeconfig: Flags.string({
    description: 'kubeconfig file (default: $KUBECONFIG, else ~/.kube/config, else in-cluster)',
  }),
};

export default class KLaunch extends CanaryCommand {
  static override summary = 'Launch an experiment in Kubernetes: a Job, or a CronJob with a schedule';
  static override description = `Validates the experiment as \`canary run\` does, then creates (or, for a group launched before, replaces) its objects, all labelled app.kubernetes.io/managed-by=canary and canary.dev/group=<group>: a Secret with the compiled experiment, an empty results Secret, a ServiceAccount, Role and RoleBinding with least privilege, and a Job (one loop) or a CronJob (a loop per tick) running \`canary k run -g <group>\`. A relaunch archives the old results to canary-<group>-results-<timestamp> first.

Without FILE the experiment is built from values, as Iter8's chart did. Launch settings among the values: runner=job|cronjob, cronjobSchedule="*/5 * * * *" (5 fields), image=<image> (default ghcr.io/canary/canary:<canary version>; pin it by digest, <repo>@sha256:<digest>), activeDeadlineSeconds=N (default: the tasks' timeouts plus a margin), ttlSecondsAfterFinished=N (default 86400).

The pod gets what the experiment reads: secret environment variables from --secret-env, secret files from --secret-file, and copies of referenced files (plugins, templates, fixtures, payloads) in the experiment Secret (1 MiB in all). A dependency that cannot be wired stops the launch with exit 3, naming it.

${exitCodeHelp}`;
  static override examples = [
    '<%= config.bin %> k launch experiments/sklearn.yaml -n ml',
    '<%= config.bin %> k launch --set "tasks={ready,assess}" --set ready.deploy=my-app --set runner=job --dry-run',
    '<%= config.bin %> k launch -f values.yaml --set runner=cronjob --set cronjobSchedule="*/1 * * * *" -g nightly',
    '<%= config.bin %> k launch experiments/sklearn.yaml --secret-env PROM_TOKEN=prom-creds/token --dry-run',
  ];
  static override args = {
    file: Args.string({ description: 'Experiment file (none: build from --set values)' }),
  };
  static override flags = {
    ...valueFlags,
    ...kubeFlags,
    'dry-run': Flags.boolean({
      description: 'Print the manifests instead of creating them; talks to no cluster',
      default: false,
    }),
    output: Flags.string({
      char: 'o',
      description:
        'With --dry-run, the manifests as YAML documents or a JSON List; otherwise the report as json',
      options: ['yaml', 'json'],
    }),
    'secret-env': Flags.string({
      description:
        'VAR=SECRET/KEY: the environment variable VAR the experiment reads (auth, headersFrom, urlFrom {env}) comes from key KEY of the Kubernetes Secret SECRET (repeatable)',
      multiple: true,
      default: [],
    }),
    'secret-file': Flags.string({
      description:
        'PATH=SECRET/KEY: the secret file PATH the experiment reads ({file} in auth, headersFrom...) is key KEY of Secret SECRET, mounted read-only (repeatable)',
      multiple: true,
      default: [],
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KLaunch);
    const { launchFromCli } = await import('../../../k8s/launch-group.js');
    await launchFromCli({
      ...(args.file !== undefined ? { file: args.file } : {}),
      flags: { ...flags, output: flags.output as 'yaml' | 'json' | undefined },
      cwd: process.cwd(),
      env: process.env,
      output: { log: (text) => this.log(text), warn: (text) => this.logToStderr(text) },
    });
  }
}
