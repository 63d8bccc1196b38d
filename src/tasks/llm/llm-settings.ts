import { formatDuration, parseDuration } from '../../util/duration.js';
import { defaultPercentiles } from '../http/load-settings.js';
import type { SecretSource } from '../../metrics/backend/secrets.js';
import type { LlmInput } from './llm-input.js';
import type { LlmLoadPlan } from './llm-load.js';

export const defaultNumRequests = 20;
export const defaultConcurrency = 1;
export const defaultTimeoutMs = 60_000;
export const defaultMaxTokens = 64;

export function llmLoadPlanOf(input: LlmInput): LlmLoadPlan {
  const durationMs = input.duration !== undefined ? parseDuration(input.duration) : undefined;
  const requests = input.numRequests ?? (durationMs === undefined ? defaultNumRequests : undefined);
  return {
    ...(requests !== undefined ? { requests } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(input.qps !== undefined ? { qps: input.qps } : {}),
    concurrency: input.concurrency ?? defaultConcurrency,
    timeoutMs: input.timeout !== undefined ? parseDuration(input.timeout) : defaultTimeoutMs,
  };
}

export function llmPercentilesOf(input: LlmInput): readonly number[] {
  const extra = (input.percentiles ?? []).filter((p) => !defaultPercentiles.includes(p));
  return [...defaultPercentiles, ...extra].sort((a, b) => a - b);
}

export function describeLlmLoad(plan: LlmLoadPlan): string {
  const amount =
    plan.requests !== undefined ? `${plan.requests} requests` : formatDuration(plan.durationMs ?? 0);
  const rate = plan.qps !== undefined ? `at ${plan.qps} qps` : 'back to back';
  return `${amount} ${rate}, ${plan.concurrency} stream(s) at most, timeout ${formatDuration(plan.timeoutMs)}`;
}

/** One version's target with the task-level settings merged in. */
export interface LlmEndpoint {
  version: number;
  id?: string;
  /** The API base as written. */
  url: string;
  model?: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  headersFrom: Record<string, SecretSource>;
}

/** `url` is version 0; with `endpoints`, the i-th in file order is version i. */
export function listLlmEndpoints(input: LlmInput): LlmEndpoint[] {
  const lower = <T>(record: Record<string, T> | undefined) =>
    Object.fromEntries(Object.entries(record ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const base = { headers: lower(input.headers), headersFrom: lower(input.headersFrom) };
  if (input.url !== undefined) {
    return [{ version: 0, url: input.url, ...(input.model ? { model: input.model } : {}), ...base }];
  }
  return Object.entries(input.endpoints ?? {}).map(([id, endpoint], version) => {
    const model = endpoint.model ?? input.model;
    return {
      version,
      id,
      url: endpoint.url,
      ...(model ? { model } : {}),
      headers: { ...base.headers, ...lower(endpoint.headers) },
      headersFrom: { ...base.headersFrom, ...lower(endpoint.headersFrom) },
    };
  });
}

/** {base}/chat/completions or {base}/completions; a base that already ends in the path is kept. */
export function apiUrlOf(base: string, api: 'chat' | 'completions'): URL {
  const suffix = api === 'chat' ? '/chat/completions' : '/completions';
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith(suffix)) url.pathname = `${path}${suffix}`;
  return url;
}
