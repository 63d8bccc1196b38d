import { defineTask } from '../task-definition.js';
import { checkHttpInput } from './check-http-input.js';
import { listEndpoints } from './endpoints.js';
import { HttpInputSchema, type HttpInput } from './http-input.js';
import { describeLoad, loadPlanOf } from './load-settings.js';
import { payloadFileOf, resolvePayloadPath } from './payload.js';
import { httpProvider } from './http-provider.js';

export type { HttpInput } from './http-input.js';
export { HttpInputSchema } from './http-input.js';

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
    // The load generator (its HTTP client, HDR histograms) is loaded only when a loop sends load, not by `canary validate`.
    const { runHttp } = await import('./run-http.js');
    return runHttp(input, context);
  },
});
