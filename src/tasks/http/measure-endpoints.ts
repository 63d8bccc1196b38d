import { ConnectionSet, type ConnectionOptions } from './connection-set.js';
import type { StatusClassifier } from './error-ranges.js';
import { createLatencyHistogram } from './latency-histogram.js';
import type { PreparedRequest } from './prepare-request.js';
import { sendLoad, type LoadPlan, type LoadResult } from './send-load.js';

export interface EndpointMeasurement {
  request: PreparedRequest;
  result: LoadResult;
}

export interface MeasureOptions {
  plan: LoadPlan;
  warmup?: LoadPlan;
  isError: StatusClassifier;
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
    const measurement = { request, result: await measureEndpoint(request, options) };
    if (measurement.result.stopped === 'aborted' && measurement.result.requestCount === 0) break;
    measurements.push(measurement);
    options.onMeasured?.(measurement);
  }
  return measurements;
}

async function measureEndpoint(request: PreparedRequest, options: MeasureOptions): Promise<LoadResult> {
  const { plan, warmup, isError, signal, tls } = options;
  const connections = new ConnectionSet(request, { connections: plan.connections, ...(tls ? { tls } : {}) });
  try {
    // The warmup opens the connections and warms the server; only its abort matters.
    const warm = warmup ? await sendLoad(connections, warmup, isError, signal) : undefined;
    return warm?.stopped === 'aborted'
      ? nothingMeasured()
      : await sendLoad(connections, plan, isError, signal);
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
