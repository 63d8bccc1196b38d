import { parseDuration } from '../../util/duration.js';
import type { GrpcCallSettings } from './grpc-input.js';

export const defaultTotal = 200;
export const defaultConcurrency = 50;
export const defaultConnections = 1;
export const defaultTimeoutMs = 20_000;
export const defaultDialTimeoutMs = 10_000;

export interface GrpcLoadPlan {
  /** Calls to make; ignored when `durationMs` is given (ghz's rule). */
  total: number;
  durationMs?: number;
  rps?: number;
  concurrency: number;
  connections: number;
  timeoutMs: number;
  dialTimeoutMs: number;
  skipFirst: number;
}

export function loadPlanOf(settings: GrpcCallSettings): GrpcLoadPlan {
  const dial = settings.dialTimeout ?? settings['connect-timeout'];
  return {
    total: settings.total ?? defaultTotal,
    ...(settings.duration !== undefined ? { durationMs: parseDuration(settings.duration) } : {}),
    ...(settings.rps !== undefined ? { rps: settings.rps } : {}),
    concurrency: settings.concurrency ?? defaultConcurrency,
    connections: settings.connections ?? defaultConnections,
    timeoutMs: settings.timeout !== undefined ? parseDuration(settings.timeout) : defaultTimeoutMs,
    dialTimeoutMs: dial !== undefined ? parseDuration(dial) : defaultDialTimeoutMs,
    skipFirst: settings.skipFirst ?? 0,
  };
}
