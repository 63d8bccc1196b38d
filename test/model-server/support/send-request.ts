import { performance } from 'node:perf_hooks';
import { parsePrometheusText, type Exposition } from './parse-prometheus-text.js';

export interface TimedResponse {
  status: number;
  body: unknown;
  headers: Headers;
  /** Wall time the client waited, request sent to body read, in ms. */
  elapsedMs: number;
}

/** POSTs a body (an object is JSON-encoded; a string goes as is) and times the round trip. */
export async function postJson(url: string, body: unknown): Promise<TimedResponse> {
  return send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function getJson(url: string): Promise<TimedResponse> {
  return send(url, { method: 'GET' });
}

async function send(url: string, init: RequestInit): Promise<TimedResponse> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  const elapsedMs = performance.now() - started;
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers, elapsedMs };
}

export async function scrape(metricsUrl: string): Promise<Exposition> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`GET ${metricsUrl}: ${response.status}`);
  return parsePrometheusText(await response.text());
}
