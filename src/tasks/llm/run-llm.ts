import http from 'node:http';
import https from 'node:https';
import { setMaxListeners } from 'node:events';
import { TaskError, errorMessage } from '../../errors.js';
import { Redactor, resolveHeaders, type SecretContext } from '../../metrics/backend/secrets.js';
import type { TaskContext, TaskRunResult } from '../task-definition.js';
import { summarizeLatency } from '../http/latency-histogram.js';
import type { LlmInput } from './llm-input.js';
import { runLlmLoad, type LlmLoadResult } from './llm-load.js';
import {
  apiUrlOf,
  defaultMaxTokens,
  describeLlmLoad,
  listLlmEndpoints,
  llmLoadPlanOf,
  llmPercentilesOf,
  type LlmEndpoint,
} from './llm-settings.js';
import { loadPrompts } from './prompts.js';
import { recordLlmMetrics } from './record-llm-metrics.js';
import { sendLlmRequest, type LlmTarget } from './stream-request.js';

/** Loads every version's API in turn and records its llm/* metrics. */
export async function runLlm(input: LlmInput, context: TaskContext): Promise<TaskRunResult> {
  const endpoints = listLlmEndpoints(input);
  if (endpoints.length === 0) throw new TaskError('no url or endpoints to load', 'error');
  let prompts: string[];
  try {
    prompts = await loadPrompts(input.prompts, context.experimentDir);
  } catch (error) {
    throw new TaskError(errorMessage(error), 'error', { cause: error });
  }
  const plan = llmLoadPlanOf(input);
  const percentiles = llmPercentilesOf(input);
  const api = input.api ?? 'chat';
  const stream = input.stream ?? true;
  const summaries: string[] = [];
  context.log(`loading ${endpoints.length} endpoint(s) (${api}): ${describeLlmLoad(plan)}`);
  for (const endpoint of endpoints) {
    if (context.signal.aborted) break;
    const redactor = new Redactor();
    const headers = await resolveEndpointHeaders(endpoint, context, redactor);
    const agentOptions = { keepAlive: true, maxSockets: plan.concurrency };
    const url = apiUrlOf(endpoint.url, api);
    const agent = url.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    const target: LlmTarget = { url, headers, agent, timeoutMs: plan.timeoutMs, stream };
    const bodies = prompts.map((prompt) => requestBody(input, endpoint, api, stream, prompt));
    // Every stream in flight listens for the abort: one signal of the task's own, allowed that many
    // listeners, keeps the run's signal to a single listener (and Node's leak warning quiet).
    const streams = new AbortController();
    setMaxListeners(0, streams.signal);
    const abortStreams = () => streams.abort();
    context.signal.addEventListener('abort', abortStreams, { once: true });
    let result: LlmLoadResult;
    try {
      result = await runLlmLoad(
        plan,
        (index, startedAt) =>
          sendLlmRequest(target, bodies[index % bodies.length]!, startedAt, streams.signal),
        streams.signal,
      );
    } finally {
      context.signal.removeEventListener('abort', abortStreams);
      agent.destroy();
    }
    if (context.signal.aborted) break;
    recordLlmMetrics(context.metrics, endpoint.version, result, percentiles);
    const summary = redactor.redact(summarize(endpoint, result));
    summaries.push(summary);
    context.log(summary);
    if (
      result.requestCount > 0 &&
      result.successCount === 0 &&
      [...result.failures.keys()].every((k) => k === 'connection')
    ) {
      const first = [...result.failures.values()][0];
      throw new TaskError(
        redactor.redact(`could not reach ${endpoint.url}: ${first?.message ?? ''}`),
        'error',
      );
    }
  }
  if (context.signal.aborted) throw new TaskError('interrupted', 'error');
  return { output: summaries.join('\n') };
}

async function resolveEndpointHeaders(
  endpoint: LlmEndpoint,
  context: TaskContext,
  redactor: Redactor,
): Promise<Record<string, string>> {
  const secrets: SecretContext = { env: { ...context.env }, baseDir: context.experimentDir };
  try {
    const resolved = await resolveHeaders(endpoint.headersFrom, secrets);
    redactor.addAll(resolved.secrets);
    return {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...endpoint.headers,
      ...resolved.headers,
    };
  } catch (error) {
    // The message names the variable or file, never a value.
    if (error instanceof TaskError) throw error;
    throw new TaskError(`could not prepare the request: ${errorMessage(error)}`, 'error', { cause: error });
  }
}

/** Extra fields first: the task's own fields (model, prompt, stream) win. */
export function requestBody(
  input: LlmInput,
  endpoint: LlmEndpoint,
  api: 'chat' | 'completions',
  stream: boolean,
  prompt: string,
): string {
  return JSON.stringify({
    ...input.body,
    ...(endpoint.model !== undefined ? { model: endpoint.model } : {}),
    ...(api === 'chat' ? { messages: [{ role: 'user', content: prompt }] } : { prompt }),
    max_tokens: input.maxTokens ?? defaultMaxTokens,
    ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  });
}

function summarize(endpoint: LlmEndpoint, result: LlmLoadResult): string {
  const ms = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(1)}ms`);
  const ttft = summarizeLatency(result.ttft, [90]);
  const itl = summarizeLatency(result.itl, []);
  const tokensFrom =
    result.successCount === 0
      ? 'no tokens'
      : result.usageFromChunks === 0
        ? 'tokens from server usage'
        : result.usageFromServer === 0
          ? 'tokens counted from content chunks (the server sent no usage)'
          : `tokens from server usage for ${result.usageFromServer}, counted from chunks for ${result.usageFromChunks}`;
  const failures = [...result.failures.entries()].map(([kind, f]) => `${kind} x${f.count} (${f.message})`);
  return (
    `v${endpoint.version} ${endpoint.url}: ${result.requestCount} requests, ${result.errorCount} errors, ` +
    `TTFT mean ${ms(ttft?.meanMs)} p90 ${ms(ttft?.percentiles[0]?.valueMs)}, ITL mean ${ms(itl?.meanMs)}, ` +
    `${((result.outputTokens * 1000) / Math.max(1, result.elapsedMs)).toFixed(1)} tokens/s; ${tokensFrom}` +
    (failures.length > 0 ? `; failures: ${failures.join(', ')}` : '')
  );
}
