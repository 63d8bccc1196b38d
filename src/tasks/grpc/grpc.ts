import { defineTask } from '../task-definition.js';
import { listGrpcEndpoints } from './grpc-endpoints.js';
import { GrpcInputSchema } from './grpc-input.js';
import { grpcProvider } from './grpc-provider.js';
import { loadPlanOf } from './load-plan.js';
import { formatDuration } from '../../util/duration.js';

export type { GrpcInput } from './grpc-input.js';
export { GrpcInputSchema } from './grpc-input.js';

export const grpcTask = defineTask({
  name: 'grpc',
  description:
    "Call a gRPC method (one endpoint per version) with ghz's settings, as Iter8's grpc task did, and record " +
    'call counts, error rate, per-status counts and the latency histogram',
  inputSchema: GrpcInputSchema,
  // protobufjs is loaded only for an experiment with a grpc task, not by every CLI start.
  async check(input, context) {
    const { checkGrpcInput } = await import('./check-grpc-input.js');
    return checkGrpcInput(input, context);
  },
  produces() {
    return [`${grpcProvider}/*`];
  },
  async preview(input) {
    return listGrpcEndpoints(input).map(({ version, id, settings }) => {
      const plan = loadPlanOf(settings);
      const amount = plan.durationMs !== undefined ? formatDuration(plan.durationMs) : `${plan.total} calls`;
      return {
        version,
        ...(id !== undefined ? { endpoint: id } : {}),
        call: `${settings.host ?? '?'} ${settings.call ?? '?'}`,
        // Names only: metadata values are often credentials.
        ...(settings.metadata || settings.metadataFrom
          ? {
              metadata: [
                ...Object.keys(settings.metadata ?? {}),
                ...Object.keys(settings.metadataFrom ?? {}),
              ],
            }
          : {}),
        load:
          `${amount} ${plan.rps !== undefined ? `at ${plan.rps} rps` : 'as fast as possible'}, ` +
          `concurrency ${plan.concurrency} over ${plan.connections} connection(s), timeout ${formatDuration(plan.timeoutMs)}`,
      };
    });
  },
  async run(input, context) {
    // grpc-js and the load generator are loaded only when a loop calls, not by `canary validate`.
    const { runGrpc } = await import('./run-grpc.js');
    return runGrpc(input, context);
  },
});
