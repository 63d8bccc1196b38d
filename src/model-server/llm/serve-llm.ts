import { waitForSignal, type SignalSource } from '../serve-until-signal.js';
import { startLlmServer, type ServedLlm } from './llm-server.js';

/** The emulated pair: revisions of one LLMInferenceService, labelled as KServe's canary guide labels them. */
export const llmBaselineRevision = 'llama-00001';
export const llmCandidateRevision = 'llama-00002';
export const emulatedModel = 'canary/llama-emulated';

export interface LlmServeSettings {
  host: string;
  port: number;
  port2: number;
  firstTokenDelayMs: number;
  tokenIntervalMs: number;
  /** Added to the candidate's first-token delay only. */
  canaryDelayMs: number;
  /** The candidate's failures, half before the stream and half in the middle of it. */
  canaryErrorRate: number;
  seed?: number;
}

export interface LlmServeIo {
  log(line: string): void;
  signals: SignalSource;
  onReady?(servers: { baseline: ServedLlm; candidate: ServedLlm }): void;
}

/** Serves both revisions until SIGINT or SIGTERM, like `serveUntilSignal` does for sklearn-iris. */
export async function serveLlmUntilSignal(
  settings: LlmServeSettings,
  io: LlmServeIo,
): Promise<'SIGINT' | 'SIGTERM'> {
  const signal = waitForSignal(io.signals);
  const common = {
    host: settings.host,
    model: emulatedModel,
    tokenIntervalMs: settings.tokenIntervalMs,
    seed: settings.seed ?? 1,
    jitter: 0.2,
  };
  const started: ServedLlm[] = [];
  try {
    started.push(
      await startLlmServer({
        ...common,
        revisionName: llmBaselineRevision,
        port: settings.port,
        firstTokenDelayMs: settings.firstTokenDelayMs,
      }),
    );
    started.push(
      await startLlmServer({
        ...common,
        revisionName: llmCandidateRevision,
        port: settings.port2,
        seed: common.seed + 1,
        firstTokenDelayMs: settings.firstTokenDelayMs + settings.canaryDelayMs,
        errorRate: settings.canaryErrorRate,
      }),
    );
  } catch (error) {
    signal.cancel();
    await Promise.all(started.map((server) => server.close()));
    throw error;
  }
  const [baseline, candidate] = started as [ServedLlm, ServedLlm];
  const faults = [
    settings.canaryDelayMs > 0 ? `+${settings.canaryDelayMs} ms to the first token` : '',
    settings.canaryErrorRate > 0 ? `${settings.canaryErrorRate * 100}% errors` : '',
  ].filter(Boolean);
  io.log(
    `Serving ${emulatedModel} (OpenAI API: /v1/chat/completions, /v1/completions; first token after ` +
      `${settings.firstTokenDelayMs} ms, then one every ${settings.tokenIntervalMs} ms):`,
  );
  io.log(`  baseline  ${baseline.revisionName}  ${baseline.url}  metrics ${baseline.metricsUrl}`);
  io.log(
    `  candidate ${candidate.revisionName}  ${candidate.url}  metrics ${candidate.metricsUrl}` +
      (faults.length > 0 ? `  (${faults.join(', ')})` : ''),
  );
  io.onReady?.({ baseline, candidate });
  const received = await signal.received;
  io.log(`Received ${received}; stopping.`);
  await Promise.all(started.map((server) => server.close()));
  io.log('Stopped.');
  return received;
}
