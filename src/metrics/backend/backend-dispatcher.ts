/**
 * One keep-alive connection pool per TLS setting, shared by every query of a run, so
 * 2 versions × 50 metrics reuse a handful of connections instead of opening 100.
 */
import { Agent, type Dispatcher } from 'undici';

export interface BackendTls {
  /** PEM certificate(s) of the CA that signed the backend's certificate; replaces the system CAs. */
  ca?: string;
  /** Skip certificate verification (self-signed test setups only). */
  insecure?: boolean;
}

const KEEP_ALIVE_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;

const agents = new Map<string, Agent>();

export function getBackendDispatcher(tls: BackendTls = {}): Dispatcher {
  const key = JSON.stringify([tls.ca ?? null, tls.insecure === true]);
  let agent = agents.get(key);
  if (agent === undefined) {
    agent = new Agent({
      keepAliveTimeout: KEEP_ALIVE_MS,
      connect: {
        timeout: CONNECT_TIMEOUT_MS,
        rejectUnauthorized: tls.insecure !== true,
        ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      },
    });
    agents.set(key, agent);
  }
  return agent;
}

/** Closes every pooled connection (end of a run, end of a test file). */
export async function closeBackendConnections(): Promise<void> {
  const closing = [...agents.values()];
  agents.clear();
  await Promise.all(closing.map((agent) => agent.close()));
}
