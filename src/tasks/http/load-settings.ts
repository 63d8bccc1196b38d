import { formatDuration, parseDuration } from '../../util/duration.js';
import type { HttpInput } from './http-input.js';
import type { LoadPlan } from './send-load.js';

export const defaultNumRequests = 100;
export const defaultConnections = 4;
export const defaultTimeoutMs = 5_000;
export const defaultPercentiles: readonly number[] = [50, 75, 90, 95, 99, 99.9];
/** Iter8's default rate; `qps: 0` lifts it. */
export const defaultQps = 8;

/** The measured load of each endpoint. `check` rejects numRequests with duration; if both slip through, the first limit reached ends the run. */
export function loadPlanOf(input: HttpInput): LoadPlan {
  const durationMs = input.duration !== undefined ? parseDuration(input.duration) : undefined;
  const requests = input.numRequests ?? (durationMs === undefined ? defaultNumRequests : undefined);
  const qps = input.qps ?? defaultQps;
  return {
    ...(requests !== undefined ? { requests } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(qps > 0 ? { qps } : {}),
    connections: input.connections ?? defaultConnections,
    timeoutMs: input.timeout !== undefined ? parseDuration(input.timeout) : defaultTimeoutMs,
  };
}

/** The warmup runs at the measured load (same rate and connections) for a count or a time. */
export function warmupPlanOf(input: HttpInput, plan: LoadPlan): LoadPlan | undefined {
  // Iter8's spellings; `check` rejects them beside a count or duration in `warmup`.
  const warmup =
    typeof input.warmup === 'boolean' || input.warmup === undefined
      ? (input.warmupNumRequests ?? input.warmupDuration)
      : input.warmup;
  if (warmup === undefined || warmup === 0) return undefined;
  const { connections, timeoutMs, qps } = plan;
  const base = { connections, timeoutMs, ...(qps !== undefined ? { qps } : {}) };
  if (typeof warmup === 'number') return { ...base, requests: warmup };
  const durationMs = parseDuration(warmup);
  return durationMs > 0 ? { ...base, durationMs } : undefined;
}

/** `true`: Iter8's warmup task, which sends its load and records nothing. */
export function isWarmupOnly(input: HttpInput): boolean {
  return input.warmup === true;
}

/** The defaults are always recorded; `percentiles` adds to them, as in Iter8. */
export function percentilesOf(input: HttpInput): readonly number[] {
  const extra = (input.percentiles ?? []).filter((p) => !defaultPercentiles.includes(p));
  return [...defaultPercentiles, ...extra].sort((a, b) => a - b);
}

/** One line for logs and dry runs: how much load, how fast, over how many connections. */
export function describeLoad(plan: LoadPlan): string {
  const amount =
    plan.requests !== undefined ? `${plan.requests} requests` : `${formatDuration(plan.durationMs ?? 0)}`;
  const rate = plan.qps !== undefined ? `at ${plan.qps} qps` : 'as fast as possible';
  return `${amount} ${rate} over ${plan.connections} connection(s), timeout ${formatDuration(plan.timeoutMs)}`;
}
