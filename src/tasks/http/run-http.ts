import { TaskError, errorMessage } from '../../errors.js';
import type { SecretContext } from '../../metrics/backend/secrets.js';
import type { TaskContext, TaskRunResult } from '../task-definition.js';
import { listEndpoints } from './endpoints.js';
import { classifyStatusWith } from './error-ranges.js';
import type { HttpInput } from './http-input.js';
import { describeLoad, loadPlanOf, percentilesOf, warmupPlanOf } from './load-settings.js';
import { measureEndpoints, type EndpointMeasurement } from './measure-endpoints.js';
import { prepareRequest, type PreparedRequest } from './prepare-request.js';
import { recordHttpMetrics } from './record-http-metrics.js';
import { summarizeMeasurement } from './summarize-run.js';

/** What the http task does when a loop runs: load every endpoint and record its metrics. */
export async function runHttp(input: HttpInput, context: TaskContext): Promise<TaskRunResult> {
  const requests = await prepareRequests(input, { env: { ...context.env }, baseDir: context.experimentDir });
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
      const summary = summarizeMeasurement(measurement, percentiles, context.versions);
      summaries.push(summary);
      context.log(summary);
    },
  });
  if (context.signal.aborted) throw new TaskError('interrupted', 'error');
  const unreachable = measurements.filter(isUnreachable);
  if (unreachable.length > 0) throw new TaskError(unreachableMessage(unreachable), 'error');
  return { output: summaries.join('\n') };
}

async function prepareRequests(input: HttpInput, secrets: SecretContext): Promise<PreparedRequest[]> {
  const endpoints = listEndpoints(input);
  if (endpoints.length === 0) throw new TaskError('no url or endpoints to load', 'error');
  try {
    return await Promise.all(endpoints.map((endpoint) => prepareRequest(endpoint, secrets)));
  } catch (error) {
    // A secret that is missing or unreadable: the message names the variable or file, never a value.
    if (error instanceof TaskError) throw error;
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
