import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { SseParser } from './sse-parser.js';

/** Everything needed to send one request; the body differs per prompt. */
export interface LlmTarget {
  /** {base}/chat/completions or {base}/completions */
  url: URL;
  /** Includes secret header values: never logged. */
  headers: Record<string, string>;
  agent: http.Agent;
  timeoutMs: number;
  stream: boolean;
}

export type FailureKind =
  'http' | 'mid-stream error' | 'no [DONE]' | 'timeout' | 'connection' | 'bad response';

export interface LlmOutcome {
  /** ms from the clock's start to the first content token; for a non-streamed response, to its end. */
  ttftMs?: number;
  /** Gaps between consecutive content chunks, ms. */
  itlMs: number[];
  e2eMs: number;
  outputTokens: number;
  inputTokens?: number;
  /** Output tokens came from the server's usage, or from counting content chunks. */
  usageFrom: 'server' | 'chunks';
  failure?: { kind: FailureKind; message: string; status?: number };
  /** A 429's or 503's Retry-After, in ms. */
  retryAfterMs?: number;
}

/**
 * Sends one request and times it. `startedAt` (performance.now() time) starts the clock: the intended
 * start under a constant rate, so waiting for a free slot counts against the server.
 */
export function sendLlmRequest(
  target: LlmTarget,
  body: string,
  startedAt: number,
  signal: AbortSignal,
): Promise<LlmOutcome> {
  return new Promise((resolve) => {
    const outcome: LlmOutcome = { itlMs: [], e2eMs: 0, outputTokens: 0, usageFrom: 'chunks' };
    let contentChunks = 0;
    let lastTokenAt: number | undefined;
    let sawDone = false;
    let settled = false;
    const finish = (failure?: LlmOutcome['failure'], endedAt = performance.now()) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      outcome.e2eMs = endedAt - startedAt;
      if (outcome.usageFrom === 'chunks') outcome.outputTokens = contentChunks;
      if (failure) outcome.failure = failure;
      resolve(outcome);
    };
    const transport = target.url.protocol === 'https:' ? https : http;
    const request = transport.request(target.url, {
      method: 'POST',
      agent: target.agent,
      headers: { ...target.headers, 'content-length': Buffer.byteLength(body) },
    });
    const remaining = Math.max(0, target.timeoutMs - (performance.now() - startedAt));
    const timer = setTimeout(() => {
      finish({ kind: 'timeout', message: `no complete response within ${target.timeoutMs} ms` });
      request.destroy();
    }, remaining);
    const onAbort = () => {
      finish({ kind: 'connection', message: 'aborted' });
      request.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => finish({ kind: 'connection', message: error.message }));
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 400) {
        const retryAfter = retryAfterMs(response.headers['retry-after']);
        if (retryAfter !== undefined) outcome.retryAfterMs = retryAfter;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.length < 16 && chunks.push(chunk));
        response.on('end', () =>
          finish({
            kind: 'http',
            status,
            message: `HTTP ${status}${errorMessageOf(Buffer.concat(chunks).toString('utf8'))}`,
          }),
        );
        response.on('error', (error) => finish({ kind: 'connection', message: error.message }));
        return;
      }
      const onEvent = (data: string, now: number) => {
        if (data === '[DONE]') {
          sawDone = true;
          return;
        }
        let event: StreamEvent;
        try {
          event = JSON.parse(data) as StreamEvent;
        } catch {
          return finish({ kind: 'bad response', message: 'an event is not JSON' });
        }
        if (event.error !== undefined) {
          return finish({ kind: 'mid-stream error', message: `error event: ${errorText(event.error)}` });
        }
        if (event.usage && typeof event.usage.completion_tokens === 'number') {
          outcome.outputTokens = event.usage.completion_tokens;
          outcome.usageFrom = 'server';
          if (typeof event.usage.prompt_tokens === 'number') outcome.inputTokens = event.usage.prompt_tokens;
        }
        const choice = event.choices?.[0];
        const text = choice?.delta?.content ?? choice?.text;
        if (typeof text !== 'string' || text === '') return;
        contentChunks++;
        if (lastTokenAt === undefined) outcome.ttftMs = now - startedAt;
        else outcome.itlMs.push(now - lastTokenAt);
        lastTokenAt = now;
      };
      if (target.stream) {
        const parser = new SseParser();
        response.on('data', (chunk: Buffer) => {
          // One timestamp per read: events that arrive together arrived at the same time.
          const now = performance.now();
          for (const data of parser.push(chunk)) if (!settled) onEvent(data, now);
        });
        response.on('end', () => {
          for (const data of parser.end()) if (!settled) onEvent(data, performance.now());
          if (!sawDone)
            return finish({ kind: 'no [DONE]', message: 'the stream ended without data: [DONE]' });
          if (contentChunks === 0)
            return finish({ kind: 'bad response', message: 'the stream held no tokens' });
          finish();
        });
      } else {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const now = performance.now();
          let parsed: CompletionBody;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CompletionBody;
          } catch {
            return finish({ kind: 'bad response', message: 'the response is not JSON' });
          }
          const choice = parsed.choices?.[0];
          const text = choice?.message?.content ?? choice?.text;
          if (typeof text !== 'string')
            return finish({ kind: 'bad response', message: 'the response holds no choice' });
          outcome.ttftMs = now - startedAt;
          contentChunks = text === '' ? 0 : 1;
          if (parsed.usage && typeof parsed.usage.completion_tokens === 'number') {
            outcome.outputTokens = parsed.usage.completion_tokens;
            outcome.usageFrom = 'server';
            if (typeof parsed.usage.prompt_tokens === 'number')
              outcome.inputTokens = parsed.usage.prompt_tokens;
          }
          finish(undefined, now);
        });
      }
      response.on('error', (error) => finish({ kind: 'connection', message: error.message }));
      response.on('aborted', () =>
        finish({ kind: 'connection', message: 'the server closed the connection mid-stream' }),
      );
    });
    request.end(body);
  });
}

interface Usage {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
}

interface StreamEvent {
  error?: unknown;
  usage?: Usage | null;
  choices?: Array<{ delta?: { content?: unknown }; text?: unknown }>;
}

interface CompletionBody {
  usage?: Usage | null;
  choices?: Array<{ message?: { content?: unknown }; text?: unknown }>;
}

/** Seconds or an HTTP date (RFC 9110). */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function errorMessageOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    const text =
      parsed.error !== undefined
        ? errorText(parsed.error)
        : typeof parsed.message === 'string'
          ? parsed.message
          : '';
    return text ? `: ${text}` : '';
  } catch {
    return '';
  }
}

function errorText(error: unknown): string {
  const message = typeof error === 'string' ? error : (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message.slice(0, 200) : 'unknown error';
}
