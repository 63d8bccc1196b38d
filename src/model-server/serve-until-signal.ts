import { describeFaults, formatServeBanner } from './format-serve-banner.js';
import { startModelServer, type ModelServer } from './start-model-server.js';

/** The reference pair: the baseline and the candidate revision of KServe's sklearn-iris predictor. */
export const baselineRevision = 'sklearn-iris-predictor-default-00001';
export const candidateRevision = 'sklearn-iris-predictor-default-00002';

export interface ServeSettings {
  host: string;
  /** Baseline port; 0 = a free port. */
  port: number;
  /** Candidate port; 0 = a free port. */
  port2: number;
  /** Ports of the two revisions' KServe V2 gRPC services; absent or 0 = free ports. */
  grpcPort?: number;
  grpcPort2?: number;
  /** Injected into the candidate only, so it can be made to fail an SLO. */
  canaryDelayMs: number;
  /** Median of the simulated model latency, both revisions (see fault-injection). */
  modelLatencyMs?: number;
  canaryErrorRate: number;
}

/** What the command hands in: process in production, an EventEmitter in tests. */
export interface SignalSource {
  once(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface ServeIo {
  log(line: string): void;
  signals: SignalSource;
  /** Called once the servers listen (tests use it to send requests). */
  onReady?(server: ModelServer): void;
}

/**
 * Serves the baseline (logistic regression) and the candidate (decision tree) until SIGINT or
 * SIGTERM, then stops the servers and returns the signal. Listening for the signals starts before
 * the servers do, so an early Ctrl-C still shuts down cleanly; after the first signal the default
 * handlers are back, so a second Ctrl-C kills a stop that hangs.
 */
export async function serveUntilSignal(settings: ServeSettings, io: ServeIo): Promise<'SIGINT' | 'SIGTERM'> {
  const signal = waitForSignal(io.signals);
  let server: ModelServer;
  try {
    server = await startModelServer({
      host: settings.host,
      versions: [
        {
          revisionName: baselineRevision,
          model: 'logistic-regression',
          port: settings.port,
          grpcPort: settings.grpcPort ?? 0,
          modelLatencyMs: settings.modelLatencyMs,
          seed: 1,
        },
        {
          revisionName: candidateRevision,
          model: 'decision-tree',
          modelLatencyMs: settings.modelLatencyMs,
          seed: 2,
          port: settings.port2,
          grpcPort: settings.grpcPort2 ?? 0,
          delayMs: settings.canaryDelayMs,
          errorRate: settings.canaryErrorRate,
        },
      ],
    });
  } catch (error) {
    signal.cancel();
    throw error;
  }
  const [baseline, candidate] = server.versions;
  const banner = formatServeBanner('sklearn-iris', [
    ...(baseline ? [{ role: 'baseline', version: baseline, faults: '' }] : []),
    ...(candidate
      ? [
          {
            role: 'candidate',
            version: candidate,
            faults: describeFaults(settings.canaryDelayMs, settings.canaryErrorRate),
          },
        ]
      : []),
  ]);
  for (const line of banner) io.log(line);
  io.onReady?.(server);
  const received = await signal.received;
  io.log(`Received ${received}; stopping.`);
  await server.stop();
  io.log('Stopped.');
  return received;
}

export function waitForSignal(signals: SignalSource) {
  const names = ['SIGINT', 'SIGTERM'] as const;
  let cancel = () => {};
  const received = new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
    const listeners = names.map((name) => ({ name, listener: () => done(name) }));
    const remove = () => listeners.forEach(({ name, listener }) => signals.off(name, listener));
    const done = (name: 'SIGINT' | 'SIGTERM') => {
      remove();
      resolve(name);
    };
    cancel = remove;
    listeners.forEach(({ name, listener }) => signals.once(name, listener));
  });
  return { received, cancel };
}
