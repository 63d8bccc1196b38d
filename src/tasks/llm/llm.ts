import { defineTask } from '../task-definition.js';
import { checkLlmInput } from './check-llm-input.js';
import { LlmInputSchema } from './llm-input.js';
import {
  apiUrlOf,
  describeLlmLoad,
  listLlmEndpoints,
  llmLoadPlanOf,
  llmPercentilesOf,
} from './llm-settings.js';
import { llmMetricNames } from './llm-metric-names.js';

export type { LlmInput } from './llm-input.js';
export { LlmInputSchema } from './llm-input.js';

export const llmTask = defineTask({
  name: 'llm',
  description:
    'Load OpenAI-compatible LLM APIs (one per version), streaming, and record TTFT, inter-token latency, ' +
    'TPOT, end-to-end latency, token throughput and error rate',
  inputSchema: LlmInputSchema,
  check: checkLlmInput,
  produces(input) {
    return llmMetricNames(llmPercentilesOf(input));
  },
  async preview(input) {
    const plan = llmLoadPlanOf(input);
    const api = input.api ?? 'chat';
    return listLlmEndpoints(input).map((endpoint) => ({
      version: endpoint.version,
      ...(endpoint.id !== undefined ? { endpoint: endpoint.id } : {}),
      request: `POST ${apiUrlOf(endpoint.url, api).href}`,
      ...(endpoint.model !== undefined ? { model: endpoint.model } : {}),
      // Names only: header values are often credentials.
      ...(Object.keys({ ...endpoint.headers, ...endpoint.headersFrom }).length > 0
        ? { headers: Object.keys({ ...endpoint.headers, ...endpoint.headersFrom }) }
        : {}),
      stream: input.stream ?? true,
      load: describeLlmLoad(plan),
    }));
  },
  async run(input, context) {
    const { runLlm } = await import('./run-llm.js');
    return runLlm(input, context);
  },
});
