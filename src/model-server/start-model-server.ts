import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CanaryError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { checkServerOptions } from './check-server-options.js';
import { createFaultInjector } from './fault-injection.js';
import { createRevisionHandler, type ServedRevision } from './handle-request.js';
import { startV2GrpcServer } from './kserve-v2-grpc.js';
import { fitIrisClassifier, type ModelKind } from './iris-classifier.js';
import { createRequestMetrics } from './request-metrics.js';

export interface ModelVersionOptions {
  /** Knative revision name, e.g. sklearn-iris-predictor-default-00001; labels its metrics. */
  revisionName: string;
  model: ModelKind;
  /** 0 or absent: a free port. */
  port?: number;
  /** Port of the KServe V2 gRPC service; 0 or absent: a free port. */
  grpcPort?: number;
  /** Milliseconds added to every predict response. */
  delayMs?: number;
  /** Up to this many more milliseconds per response, from a PRNG seeded with `seed`. */
  jitterMs?: number;
  /** Fraction (0..1) of valid predict requests answered with 500, evenly spread (see fault-injection). */
  errorRate?: number;
  seed?: number;
  /** Median of the simulated model latency in ms, log-normal (see fault-injection; 0: none). */
  modelLatencyMs?: number;
  modelLatencySigma?: number;
}

export interface ModelServerOptions {
  /** Model name in the KServe paths (default sklearn-iris). */
  name?: string;
  /** Knative service (and configuration) name in the metrics (default sklearn-iris-predictor-default). */
  serviceName?: string;
  /** namespace_name in the metrics (default "default"). */
  namespace?: string;
  versions: ModelVersionOptions[];
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Most instances (rows) per predict request (default 1000). */
  maxInstances?: number;
  /** Largest request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
}

export interface ServedVersion {
  revisionName: string;
  model: ModelKind;
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** KServe V1: POST {"instances": [[...4 numbers]]} */
  predictUrl: string;
  /** KServe V2: POST {"inputs": [{"name", "shape": [N, 4], "datatype", "data"}]} */
  inferUrl: string;
  /** Knative queue-proxy request metrics, Prometheus text format. */
  metricsUrl: string;
  port: number;
  /** KServe V2 gRPC (inference.GRPCInferenceService), host:port, on a port of its own. */
  grpcTarget: string;
  grpcPort: number;
}

export interface ModelServer {
  versions: ServedVersion[];
  /** Stops listening and closes connections; in-flight requests get a short grace period. */
  stop(): Promise<void>;
}

const defaults = {
  name: 'sklearn-iris',
  serviceName: 'sklearn-iris-predictor-default',
  namespace: 'default',
  host: '127.0.0.1',
  maxInstances: 1000,
  maxBodyBytes: 1024 * 1024,
};

/** How long stop() lets in-flight requests (say, with an injected delay) finish. */
const stopGraceMs = 2000;

/**
 * Fits each version's model and serves it on its own port, as one KServe predictor revision with
 * the Knative queue-proxy's request metrics at /metrics. Every version runs in this process.
 */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  checkServerOptions(options);
  const settings = { ...defaults, ...dropUndefined(options) };
  const servers: Server[] = [];
  const grpcServers: Array<{ stop(): Promise<void> }> = [];
  const stop = memoize(() =>
    Promise.all([
      ...servers.map((server) => closeServer(server)),
      ...grpcServers.map((server) => server.stop()),
    ]).then(() => undefined),
  );
  try {
    const versions: ServedVersion[] = [];
    for (const version of options.versions) {
      // One revision, two front doors: REST (V1 and V2) and V2 gRPC share its model, faults and metrics.
      const revision: ServedRevision = {
        modelName: settings.name,
        revisionName: version.revisionName,
        classifier: fitIrisClassifier(version.model),
        faults: createFaultInjector(version),
        metrics: createRequestMetrics({
          configuration_name: settings.serviceName,
          container_name: 'queue-proxy',
          namespace_name: settings.namespace,
          pod_name: `${version.revisionName}-deployment-local`,
          revision_name: version.revisionName,
          service_name: settings.serviceName,
        }),
        limits: { maxInstances: settings.maxInstances, maxBodyBytes: settings.maxBodyBytes },
      };
      const server = createServer(
        { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 },
        createRevisionHandler(revision),
      );
      servers.push(server);
      const port = await listen(server, settings.host, version.port ?? 0);
      const grpcServer = await listenGrpc(revision, settings.host, version.grpcPort ?? 0);
      grpcServers.push(grpcServer);
      const url = `http://${urlHost(settings.host)}:${port}`;
      const model = encodeURIComponent(settings.name);
      versions.push({
        revisionName: version.revisionName,
        model: version.model,
        url,
        predictUrl: `${url}/v1/models/${model}:predict`,
        inferUrl: `${url}/v2/models/${model}/infer`,
        metricsUrl: `${url}/metrics`,
        port,
        grpcTarget: `${urlHost(settings.host)}:${grpcServer.port}`,
        grpcPort: grpcServer.port,
      });
    }
    return { versions, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'the address is already in use' : error.message;
      reject(
        new CanaryError(`cannot listen on ${host}:${port}: ${reason}`, {
          exitCode: ExitCode.executionError,
          hints: ['choose another port (--port / --port2), or 0 for a free one'],
          cause: error,
        }),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function listenGrpc(revision: ServedRevision, host: string, port: number) {
  try {
    return await startV2GrpcServer(revision, host, port);
  } catch (error) {
    throw new CanaryError(`cannot serve gRPC on ${host}:${port}: ${(error as Error).message}`, {
      exitCode: ExitCode.executionError,
      hints: ['choose another gRPC port (--grpc-port / --grpc-port2), or 0 for a free one'],
      cause: error,
    });
  }
}

function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), stopGraceMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** A URL authority for the listen address; wildcard addresses are reached through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function memoize<T>(make: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= make());
}
