import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { formatDuration } from '../../util/duration.js';
import type { PreparedCall } from './prepare-call.js';

/** The dial did not finish within dialTimeout: the host is not there, or does not speak gRPC. */
export class DialError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'DialError';
  }
}

/**
 * `connections` clients on separate HTTP/2 connections (a local subchannel pool each; grpc-js would
 * otherwise share one connection among clients with the same target), connected before the load.
 */
export async function openChannels(call: PreparedCall, tlsOverride?: { ca: Buffer }): Promise<grpc.Client[]> {
  const credentials = await credentialsOf(call, tlsOverride);
  const clients: grpc.Client[] = [];
  for (let i = 0; i < call.plan.connections; i++) {
    clients.push(
      new grpc.Client(call.host, credentials, {
        'grpc.use_local_subchannel_pool': 1,
        'grpc.max_receive_message_length': -1,
        'grpc.max_send_message_length': -1,
      }),
    );
  }
  const deadline = Date.now() + call.plan.dialTimeoutMs;
  try {
    await Promise.all(clients.map((client) => waitForReady(client, deadline)));
  } catch (error) {
    closeChannels(clients);
    throw new DialError(
      `could not connect to ${call.host} within ${formatDuration(call.plan.dialTimeoutMs)}` +
        (error instanceof Error && !/deadline/i.test(error.message) ? `: ${error.message}` : ''),
      { cause: error },
    );
  }
  return clients;
}

export function closeChannels(clients: readonly grpc.Client[]): void {
  for (const client of clients) client.close();
}

function waitForReady(client: grpc.Client, deadline: number): Promise<void> {
  return new Promise((resolve, reject) =>
    client.waitForReady(deadline, (error) => (error ? reject(error) : resolve())),
  );
}

async function credentialsOf(
  call: PreparedCall,
  tlsOverride?: { ca: Buffer },
): Promise<grpc.ChannelCredentials> {
  if (!call.tls) return grpc.credentials.createInsecure();
  const ca = tlsOverride?.ca ?? (call.tls.caFile !== undefined ? await readFile(call.tls.caFile) : undefined);
  return grpc.credentials.createSsl(
    ca ?? null,
    null,
    null,
    call.tls.skipVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {},
  );
}
