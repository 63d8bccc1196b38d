/**
 * Runs jq (jq-wasm's Emscripten build of jq 1.7) one program at a time.
 *
 * We bypass jq-wasm's `raw()` singleton on purpose; measured with jq-wasm 1.0.1:
 * - Every run leaks wasm stack (jq exits through `exit()`, so main's frame and
 *   the argv copies are never popped): about 3.3 KiB plus the argument bytes.
 *   The stack is 1 MiB, so the shared instance aborts after ~312 small runs
 *   ("memory access out of bounds") and stays dead. We replace the instance
 *   before the estimated leak reaches half the stack.
 * - Each run sets `process.exitCode` to jq's exit status (5 after a runtime
 *   error, 0 otherwise), which would change the CLI's exit code. We restore it.
 * - Input fed through stdin is copied once per byte (quadratic: 64 KiB takes
 *   0.3 s, 256 KiB 2.3 s), so callers pass documents as arguments instead.
 * Runs are synchronous inside the wasm call, so they cannot interleave; the
 * queue below keeps the leak accounting and the exit-code guard consistent.
 */
import createJqModule from 'jq-wasm/dist/build/jq.js';

/** What jq-wasm's Emscripten module adds: `raw` runs jq's main once. */
interface JqModule {
  raw(stdin: string, filter: string, flags: string[]): Promise<string>;
}

export type JqOutcome =
  /** jq wrote to stdout (anything it wrote to stderr is dropped by jq-wasm). */
  | { kind: 'output'; text: string }
  /** jq wrote nothing to stdout; `message` is its stderr. */
  | { kind: 'error'; message: string }
  /** Neither: no output and no message. */
  | { kind: 'empty' };

const STACK_BYTES = 1024 * 1024;
const LEAK_BUDGET_BYTES = STACK_BYTES / 2; // the other half stays free for jq's own work
const LEAK_PER_RUN_BYTES = 8 * 1024; // measured ~3.3 KiB; generous on purpose
const ARGUMENT_ALIGNMENT = 16;
/** Arguments (filter + flags) larger than this cannot run safely in one instance. */
export const MAX_JQ_ARGUMENT_BYTES = 384 * 1024;

const PROGRAM_NAME = 'jq'; // otherwise argv[0] is the (long) path of our script, leaked every run

let current: { module: JqModule; leakedBytes: number } | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** Runs `jq -M <flags> <filter> /dev/stdin` on a fresh-enough instance, one run at a time. */
export function runJq(filter: string, flags: readonly string[], stdin = ''): Promise<JqOutcome> {
  const run = queue.then(() => runNow(filter, [...flags], stdin));
  queue = run.catch(() => undefined);
  return run;
}

/** Estimated stack bytes a run leaks; exported for tests. */
export function estimateLeakedBytes(filter: string, flags: readonly string[]): number {
  const args = [PROGRAM_NAME, '-M', ...flags, filter, '/dev/stdin'];
  let bytes = LEAK_PER_RUN_BYTES + (args.length + 1) * 4;
  for (const arg of args) bytes += alignUp(Buffer.byteLength(arg, 'utf8') + 1);
  return bytes;
}

async function runNow(filter: string, flags: string[], stdin: string): Promise<JqOutcome> {
  const cost = estimateLeakedBytes(filter, flags);
  const argumentBytes = cost - LEAK_PER_RUN_BYTES;
  if (argumentBytes > MAX_JQ_ARGUMENT_BYTES) {
    return {
      kind: 'error',
      message: `jq arguments of ${argumentBytes} bytes exceed the ${MAX_JQ_ARGUMENT_BYTES}-byte limit`,
    };
  }
  if (current === undefined || current.leakedBytes + cost > LEAK_BUDGET_BYTES) {
    try {
      current = { module: (await createJqModule({ thisProgram: PROGRAM_NAME })) as JqModule, leakedBytes: 0 };
    } catch (error) {
      return { kind: 'error', message: `jq could not start: ${describe(error)}` };
    }
  }
  const instance = current;
  instance.leakedBytes += cost;
  const exitCode = process.exitCode;
  try {
    const text = await instance.module.raw(stdin, filter, flags);
    return text === '' ? { kind: 'empty' } : { kind: 'output', text };
  } catch (error) {
    if (isWasmCrash(error)) {
      if (current === instance) current = undefined; // an aborted instance never recovers
      // e.g. endless recursion, which exhausts wasm memory within a fraction of a second
      return {
        kind: 'error',
        message: `jq crashed: ${describe(error).replace(/\.?\s*Build with -sASSERTIONS.*$/, '')}`,
      };
    }
    return { kind: 'error', message: describe(error) };
  } finally {
    process.exitCode = exitCode;
  }
}

function isWasmCrash(error: unknown): boolean {
  return error instanceof Error && (error.name === 'RuntimeError' || error.message.startsWith('Aborted('));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function alignUp(bytes: number): number {
  return Math.ceil(bytes / ARGUMENT_ALIGNMENT) * ARGUMENT_ALIGNMENT;
}
