/**
 * Runs jq programs on worker threads under a time and memory budget. jq is synchronous wasm: on the
 * main thread a runaway program (`last(range(1e11))`) would block timers, signal handlers and the
 * result-file lock's heartbeat. A worker that breaks its budget is terminated and replaced; idle
 * workers are kept (up to POOL_SIZE) because starting one and compiling jq costs tens of ms.
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { formatDuration } from '../../util/duration.js';
import type { JqOutcome } from './jq-runtime.js';
import type { JqRequest } from './jq-worker.js';

/** A run stopped for its budget (time, memory, cancellation): the message is the metric's reason. */
export type BoundedJqOutcome = JqOutcome | { kind: 'budget'; message: string };

export interface JqBudget {
  /** Wall time for one jq run, from its start on a worker. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Default budget where no query timeout applies (syntax checks, tests). */
export const DEFAULT_JQ_TIMEOUT_MS = 10_000;
/** A short query timeout (300ms) must not fail a program that is only slow on a loaded machine. */
export const MIN_JQ_TIMEOUT_MS = 1_000;
/** Starting a thread and compiling jq, on a busy machine; not charged to any run. */
const WORKER_START_TIMEOUT_MS = 30_000;
/** jq's V8 heap (its output strings) and, watched from here, the process's growth in resident memory. */
export const JQ_HEAP_LIMIT_MB = 256;
export const JQ_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;
const MEMORY_CHECK_MS = 50;
const POOL_SIZE = 2;

interface PooledWorker {
  worker: Worker;
  busy: boolean;
}

const idle: PooledWorker[] = [];
let live = 0;
const waiting: Array<() => void> = [];
let nextId = 0;

/** Runs one jq program off the main thread; a broken budget comes back as an error outcome. */
export async function runJqBounded(
  filter: string,
  flags: readonly string[],
  budget: JqBudget,
): Promise<BoundedJqOutcome> {
  if (budget.signal?.aborted) return { kind: 'budget', message: 'jq: cancelled' };
  let pooled: PooledWorker;
  try {
    pooled = await acquire();
  } catch (error) {
    return {
      kind: 'error',
      message: `jq could not start: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (budget.signal?.aborted) {
    release(pooled); // cancelled while waiting for a free worker
    return { kind: 'budget', message: 'jq: cancelled' };
  }
  const timeoutMs = Math.max(budget.timeoutMs, MIN_JQ_TIMEOUT_MS);
  let settled = false;
  return new Promise<BoundedJqOutcome>((resolve) => {
    const id = nextId++;
    const startRss = process.memoryUsage.rss();
    const finish = (outcome: BoundedJqOutcome, healthy: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(memoryWatch);
      budget.signal?.removeEventListener('abort', onAbort);
      pooled.worker.off('message', onMessage);
      pooled.worker.off('error', onError);
      pooled.worker.off('exit', onExit);
      if (healthy) release(pooled);
      else discard(pooled);
      resolve(outcome);
    };
    const onMessage = (message: { id: number; outcome: JqOutcome }): void => {
      if (message.id === id) finish(message.outcome, true);
    };
    const onError = (error: Error): void => finish(describeWorkerError(error), false);
    const onExit = (): void => finish({ kind: 'error', message: 'jq crashed: its worker exited' }, false);
    const onAbort = (): void => finish({ kind: 'budget', message: 'jq: cancelled' }, false);
    const timer = setTimeout(
      () => finish({ kind: 'budget', message: `jq: exceeded ${formatDuration(timeoutMs)}` }, false),
      timeoutMs,
    );
    // Wasm memory is outside V8's heap limits: watch the process instead.
    const memoryWatch = setInterval(() => {
      if (process.memoryUsage.rss() - startRss > JQ_MEMORY_LIMIT_BYTES)
        finish(
          { kind: 'budget', message: `jq: exceeded the ${JQ_MEMORY_LIMIT_BYTES / 2 ** 20} MiB memory cap` },
          false,
        );
    }, MEMORY_CHECK_MS);
    pooled.worker.on('message', onMessage);
    pooled.worker.on('error', onError);
    pooled.worker.on('exit', onExit);
    budget.signal?.addEventListener('abort', onAbort, { once: true });
    pooled.worker.ref();
    pooled.worker.postMessage({ id, filter, flags: [...flags] } satisfies JqRequest);
  });
}

async function acquire(): Promise<PooledWorker> {
  for (;;) {
    const ready = idle.pop();
    if (ready) {
      ready.busy = true;
      return ready;
    }
    if (live < POOL_SIZE) {
      live++;
      try {
        return { worker: await startWorker(), busy: true };
      } catch (error) {
        live--;
        waiting.shift()?.();
        throw error;
      }
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
}

function release(pooled: PooledWorker): void {
  pooled.busy = false;
  pooled.worker.unref(); // an idle worker never keeps canary running
  idle.push(pooled);
  waiting.shift()?.();
}

function discard(pooled: PooledWorker): void {
  live--;
  void pooled.worker.terminate();
  waiting.shift()?.();
}

/** A new worker, once it says jq is ready. */
async function startWorker(): Promise<Worker> {
  const worker = new Worker(workerFile(), {
    resourceLimits: { maxOldGenerationSizeMb: JQ_HEAP_LIMIT_MB, maxYoungGenerationSizeMb: 32 },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('its worker did not start in time')),
        WORKER_START_TIMEOUT_MS,
      );
      worker.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } catch (error) {
    void worker.terminate();
    throw error;
  }
  worker.unref();
  return worker;
}

let resolvedWorkerFile: URL | undefined;

/**
 * jq-worker.js beside this module (dist/ and the bundle). Run from sources (vitest), only the .ts
 * exists: it is bundled once per process with esbuild, a development dependency.
 */
function workerFile(): URL {
  if (resolvedWorkerFile) return resolvedWorkerFile;
  const built = new URL('./jq-worker.js', import.meta.url);
  if (existsSync(built)) return (resolvedWorkerFile = built);
  const source = fileURLToPath(new URL('./jq-worker.ts', import.meta.url));
  if (!existsSync(source) || !statSync(source).isFile())
    throw new Error(`jq worker not found: ${fileURLToPath(built)}`);
  const outfile = path.join(mkdtempSync(path.join(tmpdir(), 'canary-jq-worker-')), 'jq-worker.mjs');
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [source],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); const __filename = new URL(import.meta.url).pathname; const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
    },
    logLevel: 'error',
  });
  return (resolvedWorkerFile = pathToFileURL(outfile));
}

/** A worker over its V8 heap limit dies with ERR_WORKER_OUT_OF_MEMORY. */
function describeWorkerError(error: Error): BoundedJqOutcome {
  if ((error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY')
    return { kind: 'budget', message: `jq: exceeded the ${JQ_HEAP_LIMIT_MB} MiB heap cap` };
  return { kind: 'error', message: `jq crashed: ${error.message}` };
}
