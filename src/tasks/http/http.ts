import { defineTask, type CheckContext } from '../task-definition.js';
import { checkHttpInput } from './check-http-input.js';
import { listEndpoints } from './endpoints.js';
import { HttpInputSchema, type HttpInput } from './http-input.js';
import { describeLoad, isWarmupOnly, loadPlanOf, percentilesOf } from './load-settings.js';
import { metricGroupsOf } from './metric-groups.js';
import { httpMetricNames } from './http-metric-names.js';
import { payloadFileOf, resolvePayloadPath } from './payload.js';

export type { HttpInput } from './http-input.js';
export { HttpInputSchema } from './http-input.js';

export const httpTask = defineTask({
  name: 'http',
  description:
    'Load HTTP endpoints (one per version) and record request counts, error rate and latency percentiles',
  inputSchema: HttpInputSchema,
  check: checkHttpInput,
  produces(input) {
    return metricGroupsOf(input).flatMap((group) =>
      isWarmupOnly(group.input) ? [] : httpMetricNames(group.provider, percentilesOf(group.input)),
    );
  },
  async preview(input, context) {
    return metricGroupsOf(input).flatMap((group) => previewGroup(group.provider, group.input, context));
  },
  async run(input, context) {
    // The load generator (its HTTP client, HDR histograms) is loaded only when a loop sends load, not by `canary validate`.
    const { runHttp } = await import('./run-http.js');
    return runHttp(input, context);
  },
});

function previewGroup(provider: string, input: HttpInput, context: CheckContext) {
  const plan = loadPlanOf(input);
  return listEndpoints(input).map((endpoint) => {
    const file = payloadFileOf(endpoint.payload);
    return {
      ...(provider !== 'http' ? { metrics: `${provider}/*` } : {}),
      version: endpoint.version,
      ...(endpoint.id !== undefined ? { endpoint: endpoint.id } : {}),
      request: `${endpoint.method} ${endpoint.url}`,
      // Names only: header values are often credentials.
      ...(Object.keys(endpoint.headers).length > 0 ? { headers: Object.keys(endpoint.headers) } : {}),
      ...(endpoint.payloadURL !== undefined ? { payload: `fetched from ${endpoint.payloadURL}` } : {}),
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
      load: describeLoad(plan) + (isWarmupOnly(input) ? ' (warmup only: nothing recorded)' : ''),
    };
  });
}
