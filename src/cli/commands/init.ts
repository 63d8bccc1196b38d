import { Args, Flags } from '@oclif/core';
import { CanaryCommand } from '../base-command.js';
import type { StarterName } from '../starters/index.js';

export default class Init extends CanaryCommand {
  static override summary =
    'Write a commented starter experiment: http, kserve, kserve-rollout, kserve-llm-rollout, istio or llm';
  static override description =
    'Writes experiment.yaml (or FILE) from a template, with a comment on every key. Each starter validates as written. http (the default) loads two HTTP endpoints and judges latency and errors; as written it targets `canary serve-model`. kserve compares two revisions of a KServe InferenceService on Prometheus metrics (builtin:kserve-prometheus); istio two workloads in an Istio mesh (builtin:istio-prometheus); kserve-rollout ramps an InferenceService canary 10% -> 50% -> promoted on its SLOs (rollout task); kserve-llm-rollout does the same for an LLMInferenceService in a route group; llm streams prompts to two OpenAI-compatible LLM APIs (the llm task) and judges TTFT, TPOT and errors, as written against `canary serve-model --model llm`. An existing file is kept unless --force.';
  static override examples = [
    '<%= config.bin %> init && <%= config.bin %> validate experiment.yaml',
    '<%= config.bin %> init canary/kserve.yaml --template kserve',
    '<%= config.bin %> init --template istio --force',
  ];
  static override args = {
    file: Args.string({ description: 'Where to write the experiment', default: 'experiment.yaml' }),
  };
  static override flags = {
    template: Flags.string({
      char: 't',
      description: 'Starter to write',
      options: ['http', 'kserve', 'kserve-rollout', 'kserve-llm-rollout', 'istio', 'llm'],
      default: 'http',
    }),
    force: Flags.boolean({ description: 'Overwrite FILE if it exists', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Init);
    const { writeStarter } = await import('../starters/write-starter.js');
    const written = await writeStarter({
      file: args.file,
      template: flags.template as StarterName,
      force: flags.force,
      cwd: process.cwd(),
    });
    this.logToStderr(`wrote ${written} (${flags.template} starter); next: canary validate ${written}`);
  }
}
