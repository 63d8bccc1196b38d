import { Flags } from '@oclif/core';
import { CanaryCommand, exitCodeHelp } from '../base-command.js';

export default class Demo extends CanaryCommand {
  static override summary =
    'The seed story on this machine: two model revisions, load, metrics, SLOs, a report';
  static override description = `Serves two revisions of the sklearn-iris model on loopback (00001, the baseline: logistic regression; 00002, the candidate: a decision tree), runs experiments/demo.yaml against them in a short cron loop (3 loops), and judges the seed's SLOs: no errors, mean latency <= 25 ms, p90 <= 40 ms. With \`prometheus\` on the PATH it also starts a Prometheus that scrapes both revisions, and the SLOs are judged on its metrics through the builtin kserve-prometheus template; otherwise on the http task's own measurements. Prints the report, writes canary-results/demo.html, stops everything it started (also on Ctrl-C) and exits with the assertion code.\n\n${exitCodeHelp}`;
  static override examples = [
    '<%= config.bin %> demo',
    '<%= config.bin %> demo --canary-delay 30          # the candidate misses its latency SLOs: exit 1',
    '<%= config.bin %> demo --canary-error-rate 0.1    # one candidate request in ten fails: exit 1',
    '<%= config.bin %> demo --protocol grpc            # the same story over KServe V2 gRPC',
    '<%= config.bin %> demo --model llm                # an emulated vLLM: TTFT, TPOT, error rate',
    '<%= config.bin %> demo --model llm --canary-delay 300  # the candidate is slow to its first token: exit 1',
  ];
  static override flags = {
    model: Flags.string({
      description:
        'sklearn-iris, or llm: two emulated vLLM revisions loaded by the llm task (experiments/demo-llm.yaml), ' +
        'judged on TTFT, TPOT and errors; --canary-delay then delays the candidate first token',
      options: ['sklearn-iris', 'llm'],
      default: 'sklearn-iris',
    }),
    protocol: Flags.string({
      description:
        'How the load reaches the model: http (KServe V1 REST, the http task) or grpc (KServe V2 gRPC, the grpc task)',
      options: ['http', 'grpc'],
      default: 'http',
    }),
    'model-latency': Flags.integer({
      description:
        'Median ms of the simulated model latency (log-normal, seeded) on both revisions, 0 for none; --canary-delay adds to it',
      min: 0,
      default: 4,
    }),
    'canary-delay': Flags.integer({
      description: 'Milliseconds added to every candidate response',
      min: 0,
      default: 0,
    }),
    'canary-error-rate': Flags.string({
      description: 'Fraction (0..1) of candidate requests answered with 500',
      default: '0',
    }),
    loops: Flags.integer({ description: 'Loops to run', min: 1, default: 3 }),
    'no-prometheus': Flags.boolean({
      description: 'Do not start Prometheus even if it is installed',
      default: false,
    }),
    results: Flags.string({
      char: 'r',
      description:
        'Result file (default canary-results/demo.jsonl; the last 3 earlier ones are kept, renamed)',
    }),
    quiet: Flags.boolean({ char: 'q', description: 'No progress lines', default: false }),
    json: Flags.boolean({
      description: 'Stream run events as JSON lines on stdout; the report goes to stderr',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    const { runDemo } = await import('../../demo/run-demo.js');
    const code = await runDemo(
      {
        protocol: flags.protocol === 'grpc' ? 'grpc' : 'http',
        model: flags.model === 'llm' ? 'llm' : 'sklearn-iris',
        canaryDelayMs: flags['canary-delay'],
        modelLatencyMs: flags['model-latency'],
        canaryErrorRate: flags['canary-error-rate'],
        loops: flags.loops,
        prometheus: !flags['no-prometheus'],
        quiet: flags.quiet,
        ...(flags.results !== undefined ? { results: flags.results } : {}),
      },
      {
        // With --json, stdout carries the events alone: the report moves to stderr.
        log: (line) => (flags.json ? this.logToStderr(line) : this.log(line)),
        warn: (line) => this.logToStderr(line),
        ...(flags.json ? { json: (line: string) => this.log(line) } : {}),
      },
    );
    if (code !== 0) this.exit(code);
  }
}
