import { ConnectionSet, type ConnectionOptions } from './connection-set.js';
import type { StatusClassifier } from './error-ranges.js';
import { createLatencyHistogram } from './latency-histogram.js';
import type { PreparedRequest } from './prepare-request.js';
import { sendLoad, type LoadPlan, type LoadResult } from './send-load.js';

export interface EndpointMeasurement {
  request: PreparedRequest;
  result: LoadResult;
  /** With `requireInitialSuccess`: why a first request failed (then nothing was measured). */
  initialFailure?: string;
}

export interface MeasureOptions {
  plan: LoadPlan;
  warmup?: LoadPlan;
  isError: StatusClassifier;
  /** Iter8's allowInitialErrors: false: one request per connection first, each must get a 2xx or 418. */
  requireInitialSuccess?: boolean;
  signal: AbortSignal;
  /** Extra TLS settings for https endpoints (tests pass their own certificate authority). */
  tls?: ConnectionOptions['tls'];
  /** Called after each endpoint, for progress. */
  onMeasured?: (measurement: EndpointMeasurement) => void;
}

/**
 * Loads the endpoints one after another, so that each version gets the client's whole capacity.
 * After an abort, the endpoint being measured keeps what it measured and the rest are skipped.
 */
export async function measureEndpoints(
  requests: readonly PreparedRequest[],
  options: MeasureOptions,
): Promise<EndpointMeasurement[]> {
  const measurements: EndpointMeasurement[] = [];
  for (const request of requests) {
    if (options.signal.aborted) break;
    const measurement = await measureEndpoint(request, options);
    if (measurement.initialFailure !== undefined) {
      measurements.push(measurement);
      break; // as fortio, which ended the run on a failed first request
    }
    if (measurement.result.stopped === 'aborted' && measurement.result.requestCount === 0) break;
    measurements.push(measurement);
    options.onMeasured?.(measurement);
  }
  return measurements;
}

/** Fortio's check of each connection's first answer (codeIsOK). */
const isNotOk: StatusClassifier = (status) => !((status >= 200 && status <= 299) || status === 418);

async function measureEndpoint(
  request: PreparedRequest,
  options: MeasureOptions,
): Promise<EndpointMeasurement> {
  const { plan, warmup, isError, signal, tls } = options;
  const connections = new ConnectionSet(request, { connections: plan.connections, ...(tls ? { tls } : {}) });
  try {
    if (options.requireInitialSuccess) {
      const { connections: count, timeoutMs } = plan;
      const first = await sendLoad(
        connections,
        { requests: count, connections: count, timeoutMs },
        isNotOk,
        signal,
      );
      const initialFailure = describeInitialFailure(first);
      if (initialFailure !== undefined) return { request, result: nothingMeasured(), initialFailure };
    }
    // The warmup opens the connections and warms the server; only its abort matters.
    const warm = warmup ? await sendLoad(connections, warmup, isError, signal) : undefined;
    const result =
      warm?.stopped === 'aborted' ? nothingMeasured() : await sendLoad(connections, plan, isError, signal);
    return { request, result };
  } finally {
    // Requests still in flight (after an abort) are cut off rather than waited for.
    connections.close();
  }
}

function nothingMeasured(): LoadResult {
  return {
    requestCount: 0,
    errorCount: 0,
    responseCount: 0,
    retriedCount: 0,
    statusCounts: new Map(),
    failures: new Map(),
    histogram: createLatencyHistogram(),
    elapsedMs: 0,
    stopped: 'aborted',
  };
}

function describeInitialFailure(first: LoadResult): string | undefined {
  if (first.stopped === 'aborted' || first.errorCount === 0) return undefined;
  const failure = [...first.failures.values()][0];
  if (failure) return `a first request failed: ${failure.message}`;
  const status = [...first.statusCounts.keys()].find((code) => isNotOk(code));
  return `a first request got status ${status ?? 'unknown'}`;
}
