import path from 'node:path';
import { TaskError, errorMessage } from '../../errors.js';
import type { SecretContext } from '../../metrics/backend/secrets.js';
import { TemplateSourceError } from '../../metrics/templates/template-source.js';
import { defaultCacheDir } from '../../util/cache-dir.js';
import type { TaskContext, TaskRunResult } from '../task-definition.js';
import { listEndpoints } from './endpoints.js';
import { classifyStatusWith } from './error-ranges.js';
import type { HttpInput } from './http-input.js';
import { describeLoad, isWarmupOnly, loadPlanOf, percentilesOf, warmupPlanOf } from './load-settings.js';
import { measureEndpoints, type EndpointMeasurement } from './measure-endpoints.js';
import { metricGroupsOf, type MetricGroup } from './metric-groups.js';
import { prepareRequest, type PayloadCache, type PreparedRequest } from './prepare-request.js';
import { recordHttpMetrics } from './record-http-metrics.js';
import { summarizeMeasurement } from './summarize-run.js';

/** What the http task does when a loop runs: load every endpoint and record its metrics. */
export async function runHttp(input: HttpInput, context: TaskContext): Promise<TaskRunResult> {
  const summaries: string[] = [];
  for (const group of metricGroupsOf(input)) {
    if (context.signal.aborted) break;
    summaries.push(...(await runGroup(group, context)));
  }
  if (context.signal.aborted) throw new TaskError('interrupted', 'error');
  return { output: summaries.join('\n') };
}

async function runGroup({ provider, input }: MetricGroup, context: TaskContext): Promise<string[]> {
  const requests = await prepareRequests(input, context);
  const percentiles = percentilesOf(input);
  const plan = loadPlanOf(input);
  const warmup = warmupPlanOf(input, plan);
  const warmupOnly = isWarmupOnly(input);
  const label = provider === 'http' ? '' : `${provider}: `;
  context.log(
    `${label}loading ${requests.length} endpoint(s): ${describeLoad(plan)}${warmupOnly ? ' (warmup only: nothing recorded)' : ''}`,
  );
  const summaries: string[] = [];
  const measurements = await measureEndpoints(requests, {
    plan,
    ...(warmup ? { warmup } : {}),
    isError: classifyStatusWith(input.errorRanges),
    ...(input.allowInitialErrors === false ? { requireInitialSuccess: true } : {}),
    signal: context.signal,
    onMeasured(measurement) {
      // Recorded as each version ends, so an abort later keeps the versions already measured.
      if (!warmupOnly) {
        recordHttpMetrics(
          context.metrics,
          measurement.request.version,
          measurement.result,
          percentiles,
          provider,
        );
      }
      // Named endpoints (Iter8's map) are each measured as version 0 of their own provider.
      const names = provider === 'http' ? context.versions : [];
      const summary = `${label}${summarizeMeasurement(measurement, percentiles, names)}`;
      summaries.push(summary);
      context.log(summary);
    },
  });
  const failed = measurements.filter((m) => m.initialFailure !== undefined);
  if (failed.length > 0) throw new TaskError(initialFailureMessage(failed), 'error');
  const unreachable = measurements.filter(isUnreachable);
  if (unreachable.length > 0) throw new TaskError(unreachableMessage(unreachable), 'error');
  return summaries;
}

async function prepareRequests(input: HttpInput, context: TaskContext): Promise<PreparedRequest[]> {
  const secrets: SecretContext = { env: { ...context.env }, baseDir: context.experimentDir };
  const cache: PayloadCache = {
    cacheDir: path.resolve(context.experimentDir, defaultCacheDir(context.env)),
    offline: context.env.CANARY_OFFLINE === '1' || context.env.CANARY_OFFLINE === 'true',
    env: context.env,
  };
  const endpoints = listEndpoints(input);
  if (endpoints.length === 0) throw new TaskError('no url or endpoints to load', 'error');
  try {
    return await Promise.all(endpoints.map((endpoint) => prepareRequest(endpoint, secrets, cache)));
  } catch (error) {
    // A secret that is missing or unreadable: the message names the variable or file, never a value.
    if (error instanceof TaskError) throw error;
    const hint = error instanceof TemplateSourceError && error.hint ? ` (${error.hint})` : '';
    throw new TaskError(`could not prepare the request: ${errorMessage(error)}${hint}`, 'error', {
      cause: error,
    });
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

function initialFailureMessage(failed: EndpointMeasurement[]): string {
  return (
    failed.map(({ request, initialFailure }) => `${request.url}: ${initialFailure}`).join('; ') +
    ' (allowInitialErrors is false: the first request on each connection must succeed)'
  );
}
