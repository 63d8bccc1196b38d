import { TaskError, errorMessage } from '../../errors.js';
import { formatDuration } from '../../util/duration.js';
import { defineTask } from '../task-definition.js';
import { checkHttpInput } from './check-http-input.js';
import { listEndpoints } from './endpoints.js';
import { classifyStatusWith } from './error-ranges.js';
import { HttpInputSchema, type HttpInput } from './http-input.js';
import { loadPlanOf, percentilesOf, warmupPlanOf } from './load-settings.js';
import { measureEndpoints, type EndpointMeasurement } from './measure-endpoints.js';
import { payloadFileOf, resolvePayloadPath } from './payload.js';
import { prepareRequest, type PreparedRequest } from './prepare-request.js';
import { httpProvider, recordHttpMetrics } from './record-http-metrics.js';
import type { LoadPlan } from './send-load.js';
import { summarizeMeasurement } from './summarize-run.js';

export type { HttpInput } from './http-input.js';
export { HttpInputSchema } from './http-input.js';
export { latencyBuckets, type LatencyBucket } from './latency-histogram.js';

export const httpTask = defineTask<HttpInput>({
  name: 'http',
  description:
    'Load HTTP endpoints (one per version) and record request counts, error rate and latency percentiles',
  inputSchema: HttpInputSchema,
  check: checkHttpInput,
  produces() {
    return [`${httpProvider}/*`];
  },
  async preview(input, context) {
    const plan = loadPlanOf(input);
    return listEndpoints(input).map((endpoint) => {
      const file = payloadFileOf(endpoint.payload);
      return {
        version: endpoint.version,
        ...(endpoint.id !== undefined ? { endpoint: endpoint.id } : {}),
        request: `${endpoint.method} ${endpoint.url}`,
        // Names only: header values are often credentials.
        ...(Object.keys(endpoint.headers).length > 0 ? { headers: Object.keys(endpoint.headers) } : {}),
        ...(endpoint.payload !== undefined
          ? {
              payload:
                file !== undefined
                  ? `file ${resolvePayloadPath(file, context.experimentDir)}`
                  : typeof endpoint.payload === 'string'
                    ? 'inline text'
                    : 'inline JSON',
            }
          : {}),
        load: describeLoad(plan),
      };
    });
  },
  async run(input, context) {
    const requests = await prepareRequests(input, context.experimentDir);
    const percentiles = percentilesOf(input);
    const plan = loadPlanOf(input);
    const warmup = warmupPlanOf(input, plan);
    context.log(`loading ${requests.length} endpoint(s): ${describeLoad(plan)}`);
    const summaries: string[] = [];
    const measurements = await measureEndpoints(requests, {
      plan,
      ...(warmup ? { warmup } : {}),
      isError: classifyStatusWith(input.errorRanges),
      signal: context.signal,
      onMeasured(measurement) {
        // Recorded as each version ends, so an abort later keeps the versions already measured.
        recordHttpMetrics(context.metrics, measurement.request.version, measurement.result, percentiles);
        const summary = summarizeMeasurement(measurement, percentiles);
        summaries.push(summary);
        context.log(summary);
      },
    });
    if (context.signal.aborted) throw new TaskError('interrupted', 'error');
    const unreachable = measurements.filter(isUnreachable);
    if (unreachable.length > 0) throw new TaskError(unreachableMessage(unreachable), 'error');
    return { output: summaries.join('\n') };
  },
});

async function prepareRequests(input: HttpInput, experimentDir: string): Promise<PreparedRequest[]> {
  const endpoints = listEndpoints(input);
  if (endpoints.length === 0) throw new TaskError('no url or endpoints to load', 'error');
  try {
    return await Promise.all(endpoints.map((endpoint) => prepareRequest(endpoint, experimentDir)));
  } catch (error) {
    throw new TaskError(`could not prepare the request: ${errorMessage(error)}`, 'error', { cause: error });
  }
}

/** Requests were sent and not one got a response: nothing was measured about the service. */
function isUnreachable({ result }: EndpointMeasurement): boolean {
  return result.requestCount > 0 && result.responseCount === 0;
}

function unreachableMessage(unreachable: EndpointMeasurement[]): string {
  return unreachable
    .map(({ request, result }) => {
      const first = [...result.failures.values()][0];
      return `could not reach ${request.url}${first ? `: ${first.message}` : ''}`;
    })
    .join('; ');
}

function describeLoad(plan: LoadPlan): string {
  const amount =
    plan.requests !== undefined ? `${plan.requests} requests` : `${formatDuration(plan.durationMs ?? 0)}`;
  const rate = plan.qps !== undefined ? `at ${plan.qps} qps` : 'as fast as possible';
  return `${amount} ${rate} over ${plan.connections} connection(s), timeout ${formatDuration(plan.timeoutMs)}`;
}
