import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FaultInjector } from './fault-injection.js';
import type { IrisClassifier } from './iris-classifier.js';
import { formatV1Predictions, parseV1Instances } from './kserve-v1.js';
import { describeV2Model, formatV2InferResponse, parseV2InferRequest } from './kserve-v2.js';
import { matchRoute, type MatchedRoute } from './match-route.js';
import { readJsonBody } from './read-json-body.js';
import { metricsContentType, renderMetrics } from './render-metrics.js';
import type { RequestMetrics } from './request-metrics.js';
import { RequestError } from './request-error.js';
import { sleepAtLeast } from './sleep-at-least.js';

/** Everything one revision's server needs to answer a request. */
export interface ServedRevision {
  modelName: string;
  revisionName: string;
  classifier: IrisClassifier;
  faults: FaultInjector;
  metrics: RequestMetrics;
  limits: { maxInstances: number; maxBodyBytes: number };
}

interface Reply {
  status: number;
  /** JSON-encoded unless it is already text. */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * The node:http listener for one revision. Like the queue-proxy in front of a KServe predictor, it
 * records every request it answers (any status) except /metrics scrapes and health probes.
 */
export function createRevisionHandler(revision: ServedRevision) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const arrived = performance.now();
    // Only the path routes; new URL() would throw on odd request targets (and take //x as a host).
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    const route = matchRoute(pathname);
    const recorded = route?.kind !== 'metrics' && !isProbe(request);
    void answerRequest(request, pathname, route, revision)
      .catch((error: unknown) => errorReply(500, `internal error: ${(error as Error).message}`))
      .then((reply) => {
        // Recorded just before the write, so a client that has its answer sees it in /metrics.
        if (recorded) revision.metrics.record(reply.status, performance.now() - arrived);
        writeReply(response, reply, revision.revisionName);
      })
      .catch(() => response.destroy()); // the socket is gone; nothing left to tell the client
  };
}

async function answerRequest(
  request: IncomingMessage,
  pathname: string,
  route: MatchedRoute | undefined,
  revision: ServedRevision,
): Promise<Reply> {
  if (!route) {
    request.resume();
    return errorReply(404, `no endpoint ${request.method ?? 'GET'} ${pathname}`);
  }
  if (request.method !== route.method) {
    request.resume(); // discard any body
    return {
      ...errorReply(405, `${request.method ?? '?'} is not allowed on ${pathname}; use ${route.method}`),
      headers: { allow: route.method },
    };
  }
  if (route.model !== undefined && route.model !== revision.modelName) {
    request.resume();
    return errorReply(
      404,
      `model "${route.model}" is not served here; this server serves "${revision.modelName}"`,
    );
  }
  const { modelName } = revision;
  switch (route.kind) {
    case 'alive':
      return jsonReply({ status: 'alive' });
    case 'metrics':
      return {
        status: 200,
        body: renderMetrics(revision.metrics.snapshot()),
        contentType: metricsContentType,
      };
    case 'v1-models':
      return jsonReply({ models: [modelName] });
    case 'v1-model':
    case 'v2-model-ready':
      return jsonReply({ name: modelName, ready: true });
    case 'v2-server':
      return jsonReply({ name: 'canary-model-server', version: '1', extensions: [] });
    case 'v2-live':
      return jsonReply({ live: true });
    case 'v2-ready':
      return jsonReply({ ready: true });
    case 'v2-model':
      return jsonReply(describeV2Model(modelName, `canary-typescript/${revision.classifier.kind}`));
    case 'v1-predict':
      return answerPredict(request, revision, (body) => {
        const rows = parseV1Instances(body, revision.limits.maxInstances);
        return () => formatV1Predictions(predictAll(revision.classifier, rows));
      });
    case 'v2-infer':
      return answerPredict(request, revision, (body) => {
        const parsed = parseV2InferRequest(body, revision.limits.maxInstances);
        return () => formatV2InferResponse(modelName, parsed, predictAll(revision.classifier, parsed.rows));
      });
  }
}

/**
 * Shared by both protocols: read and check the body, maybe fail on purpose, predict, and hold the
 * answer for the injected delay. Only requests that pass validation count toward the error rate,
 * so bad input stays a 400 and the failure schedule stays exact.
 */
async function answerPredict(
  request: IncomingMessage,
  revision: ServedRevision,
  parse: (body: unknown) => () => unknown,
): Promise<Reply> {
  const delayMs = revision.faults.nextDelayMs();
  let reply: Reply;
  try {
    const predict = parse(await readJsonBody(request, revision.limits.maxBodyBytes));
    reply = revision.faults.nextRequestFails()
      ? errorReply(
          500,
          `injected failure: revision ${revision.revisionName} fails a share of its predictions`,
        )
      : jsonReply(predict());
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    reply = errorReply(error.status, error.message);
  }
  await sleepAtLeast(delayMs);
  return reply;
}

function predictAll(classifier: IrisClassifier, rows: readonly number[][]): number[] {
  return rows.map((row) => classifier.predict(row));
}

function jsonReply(body: unknown): Reply {
  return { status: 200, body };
}

function errorReply(status: number, message: string): Reply {
  return { status, body: { error: message } };
}

/** Knative's network.IsProbe: kubelet and Knative probes are not user traffic. */
function isProbe(request: IncomingMessage): boolean {
  return (
    request.headers['k-network-probe'] !== undefined ||
    (request.headers['user-agent'] ?? '').startsWith('kube-probe/')
  );
}

function writeReply(response: ServerResponse, reply: Reply, revisionName: string): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    'content-type': reply.contentType ?? 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-canary-revision': revisionName,
    ...reply.headers,
  });
  response.end(text);
}
