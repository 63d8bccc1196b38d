import { TaskError, errorMessage } from '../../errors.js';
import type { TaskContext, TaskRunResult } from '../task-definition.js';
import { defaultPercentiles } from '../http/load-settings.js';
import { closeChannels, DialError, openChannels } from './grpc-channels.js';
import { listGrpcEndpoints } from './grpc-endpoints.js';
import type { GrpcInput } from './grpc-input.js';
import { prepareCall, type PreparedCall } from './prepare-call.js';
import { recordGrpcMetrics } from './record-grpc-metrics.js';
import { sendGrpcLoad, type GrpcLoadResult } from './send-grpc-load.js';
import { summarizeGrpcRun } from './summarize-grpc.js';

export interface GrpcRunOptions {
  /** Extra certificate authority for TLS (tests pass their own). */
  tls?: { ca: Buffer };
}

/** What the grpc task does when a loop runs: call every endpoint in turn and record its metrics. */
export async function runGrpc(
  input: GrpcInput,
  context: TaskContext,
  options: GrpcRunOptions = {},
): Promise<TaskRunResult> {
  const percentiles = input.percentiles ?? defaultPercentiles;
  const calls = await prepareCalls(input, context);
  const summaries: string[] = [];
  for (const call of calls) {
    if (context.signal.aborted) break;
    context.log(`calling ${call.host}${call.method.path} (version ${call.version})`);
    const result = await measureCall(call, context.signal, options);
    if (result.stopped === 'aborted' && result.requestCount === 0) break;
    // Recorded as each version ends, so an abort later keeps the versions already measured. Iter8's
    // warmup task (warmup: true) makes its calls and records nothing.
    if (input.warmup !== true) recordGrpcMetrics(context.metrics, call.version, result, percentiles);
    const summary = summarizeGrpcRun(call, result, percentiles);
    summaries.push(summary);
    context.log(summary);
    if (result.stopped === 'unreachable') {
      throw new TaskError(`could not reach ${call.host}: ${firstMessage(result)}`, 'error');
    }
  }
  if (context.signal.aborted) throw new TaskError('interrupted', 'error');
  return { output: summaries.join('\n') };
}

async function prepareCalls(input: GrpcInput, context: TaskContext): Promise<PreparedCall[]> {
  const remote = { experimentDir: context.experimentDir, env: context.env };
  try {
    return await Promise.all(listGrpcEndpoints(input).map((spec) => prepareCall(spec, remote)));
  } catch (error) {
    const hint = (error as { hint?: string }).hint;
    throw new TaskError(
      `could not prepare the call: ${errorMessage(error)}${hint ? ` (${hint})` : ''}`,
      'error',
      {
        cause: error,
      },
    );
  }
}

async function measureCall(
  call: PreparedCall,
  signal: AbortSignal,
  options: GrpcRunOptions,
): Promise<GrpcLoadResult> {
  let clients;
  try {
    clients = await openChannels(call, options.tls);
  } catch (error) {
    if (error instanceof DialError) throw new TaskError(error.message, 'error', { cause: error });
    throw error;
  }
  const target = { clients, path: call.method.path, requests: call.requests, metadata: call.metadata };
  try {
    // The warmup opens the connection's streams and warms the server; only its abort matters.
    const warm = call.warmup ? await sendGrpcLoad(target, call.warmup, signal) : undefined;
    if (warm?.stopped === 'aborted') return { ...warm, requestCount: 0 };
    return await sendGrpcLoad(target, call.plan, signal);
  } finally {
    // Calls still in flight (after an abort) are cancelled rather than waited for.
    closeChannels(clients);
  }
}

function firstMessage(result: GrpcLoadResult): string {
  return (
    [...result.statusCounts.values()].find((status) => status.message !== undefined)?.message ?? 'no answer'
  );
}
