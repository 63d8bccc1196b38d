import { Flags } from '@oclif/core';
import { CanaryCommand } from '../base-command.js';

export default class ServeModel extends CanaryCommand {
  static override summary = 'Serve two versions of a KServe-style sklearn-iris model on loopback, for demos';
  static override description = `Fits two iris classifiers at start-up and serves each as a revision of the KServe predictor sklearn-iris-predictor-default: 00001, the baseline (multinomial logistic regression), and 00002, the candidate (decision tree, max depth 3). Each revision answers the KServe V1 protocol (POST /v1/models/sklearn-iris:predict with {"instances": [[4 numbers], ...]}) and V2 (POST /v2/models/sklearn-iris/infer), V2 over gRPC on a port of its own (inference.GRPCInferenceService, proto in the package's protos/kserve/), and exports the request metrics of a Knative queue-proxy at /metrics (revision_app_request_count, revision_app_request_latencies in ms). Point a Prometheus at both ports and run experiments/sklearn-local.yaml against it; make the candidate slow or failing to see an SLO fail.

Runs until SIGINT (Ctrl-C) or SIGTERM, then stops and exits 0.`;
  static override examples = [
    '<%= config.bin %> serve-model',
    '<%= config.bin %> serve-model --port 0',
    '<%= config.bin %> serve-model --canary-delay 50 --canary-error-rate 0.1',
    '<%= config.bin %> serve-model --model llm --canary-delay 300',
  ];
  static override flags = {
    model: Flags.string({
      description:
        'sklearn-iris: the KServe predictor; llm: an emulated vLLM (OpenAI chat and completions, streamed, ' +
        'vLLM /metrics) whose candidate --canary-delay slows to its first token',
      options: ['sklearn-iris', 'llm'],
      default: 'sklearn-iris',
    }),
    'first-token-delay': Flags.integer({
      description: 'With --model llm: ms from a request to its first token',
      min: 0,
      default: 50,
    }),
    'token-interval': Flags.integer({
      description: 'With --model llm: ms between tokens',
      min: 0,
      default: 10,
    }),
    port: Flags.integer({
      description: 'Port of the baseline revision (0 = a free port)',
      min: 0,
      max: 65535,
      default: 8080,
    }),
    port2: Flags.integer({
      description: 'Port of the candidate revision (default: --port + 1, or a free port when --port is 0)',
      min: 0,
      max: 65535,
    }),
    'grpc-port': Flags.integer({
      description:
        "Port of the baseline revision's KServe V2 gRPC service (default 9000, or a free port when --port is 0)",
      min: 0,
      max: 65535,
    }),
    'grpc-port2': Flags.integer({
      description:
        "Port of the candidate revision's KServe V2 gRPC service (default: --grpc-port + 1, or free)",
      min: 0,
      max: 65535,
    }),
    host: Flags.string({ description: 'Interface to listen on', default: '127.0.0.1' }),
    'model-latency': Flags.integer({
      description:
        'Median ms of the simulated model latency (log-normal, seeded) on both revisions, 0 for none; --canary-delay adds to it',
      min: 0,
      default: 4,
    }),
    'canary-delay': Flags.integer({
      description: 'Milliseconds added to each candidate prediction (with --model llm: to its first token)',
      min: 0,
      default: 0,
    }),
    'canary-error-rate': Flags.string({
      description:
        'Fraction (0..1) of candidate predictions answered with 500, evenly spread (with --model llm: ' +
        'seeded, half before the stream and half in the middle of it)',
      default: '0',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServeModel);
    const { UsageError } = await import('../../errors.js');
    const errorRate = Number(flags['canary-error-rate']);
    if (
      flags['canary-error-rate'].trim() === '' ||
      !Number.isFinite(errorRate) ||
      errorRate < 0 ||
      errorRate > 1
    ) {
      throw new UsageError(
        `--canary-error-rate must be a number from 0 to 1 (got ${flags['canary-error-rate']})`,
      );
    }
    const port2 = flags.port2 ?? (flags.port === 0 ? 0 : flags.port + 1);
    if (port2 > 65535)
      throw new UsageError(`--port ${flags.port} leaves no port for the candidate; set --port2`);
    if (port2 !== 0 && port2 === flags.port) {
      throw new UsageError(`--port and --port2 are both ${port2}; each revision needs its own port`);
    }
    if (flags.model === 'llm') {
      const { serveLlmUntilSignal } = await import('../../model-server/llm/serve-llm.js');
      await serveLlmUntilSignal(
        {
          host: flags.host,
          port: flags.port,
          port2,
          firstTokenDelayMs: flags['first-token-delay'],
          tokenIntervalMs: flags['token-interval'],
          canaryDelayMs: flags['canary-delay'],
          canaryErrorRate: errorRate,
        },
        { log: (line) => this.log(line), signals: process },
      );
      return;
    }
    const grpcPort = flags['grpc-port'] ?? (flags.port === 0 ? 0 : 9000);
    const grpcPort2 = flags['grpc-port2'] ?? (grpcPort === 0 ? 0 : grpcPort + 1);
    const ports = [flags.port, port2, grpcPort, grpcPort2].filter((port) => port !== 0);
    if (new Set(ports).size !== ports.length || grpcPort2 > 65535) {
      throw new UsageError(
        `--port, --port2, --grpc-port and --grpc-port2 must be four different ports (got ${[flags.port, port2, grpcPort, grpcPort2].join(', ')})`,
      );
    }
    const { serveUntilSignal } = await import('../../model-server/serve-until-signal.js');
    await serveUntilSignal(
      {
        host: flags.host,
        port: flags.port,
        port2,
        grpcPort,
        grpcPort2,
        canaryDelayMs: flags['canary-delay'],
        modelLatencyMs: flags['model-latency'],
        canaryErrorRate: errorRate,
      },
      { log: (line) => this.log(line), signals: process },
    );
  }
}
