import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type protobuf from 'protobufjs';
import { resolveHeaders } from '../../metrics/backend/secrets.js';
import { parseDuration } from '../../util/duration.js';
import { loadPlanOf, type GrpcLoadPlan } from './load-plan.js';
import type { GrpcEndpointSpec } from './grpc-endpoints.js';
import type { GrpcCallSettings } from './grpc-input.js';
import { encodeMessage } from './grpc-message.js';
import { resolveMethod, type ResolvedMethod } from './grpc-method.js';
import { loadProtoFile, loadProtoset, parseProtoText } from './proto-schema.js';
import { fetchRemoteInput, type RemoteContext } from './remote-input.js';

/** Everything one endpoint's load needs, read and encoded before the first call. */
export interface PreparedCall {
  version: number;
  id?: string;
  host: string;
  method: ResolvedMethod;
  /** Encoded request messages, sent round robin (one, unless data is a list). */
  requests: Buffer[];
  metadata: Record<string, string>;
  tls?: { caFile?: string; skipVerify: boolean };
  plan: GrpcLoadPlan;
  /** Sent first at the same load, results discarded (Iter8's warmupNumRequests / warmupDuration). */
  warmup?: GrpcLoadPlan;
}

/** Which input a problem is about, so check can point at it. */
export class PrepareProblem extends Error {
  constructor(
    readonly key: keyof GrpcCallSettings | undefined,
    message: string,
    readonly hint?: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'PrepareProblem';
  }
}

/** Reads the schema, resolves the call, encodes the data: the run-time path (URLs fetched). */
export async function prepareCall(spec: GrpcEndpointSpec, context: RemoteContext): Promise<PreparedCall> {
  const { settings } = spec;
  if (settings.host === undefined) throw new PrepareProblem('host', 'no host to call');
  if (settings.call === undefined) throw new PrepareProblem('call', 'no call (package.Service.Method)');
  const root = await loadSchema(settings, context, { fetch: true });
  if (!root) throw new PrepareProblem('proto', 'give the proto, protoURL or protoset that defines the call');
  const method = resolveCall(root, settings.call);
  const data = await readJsonInput(settings, 'data', context, true);
  const metadata = metadataOf(await readJsonInput(settings, 'metadata', context, true));
  // Secrets last: a name given both ways takes the secret (check warns about the literal).
  const fromSecrets = await resolveHeaders(settings.metadataFrom ?? {}, {
    env: { ...context.env },
    baseDir: context.experimentDir,
  });
  for (const [name, value] of Object.entries(fromSecrets.headers)) metadata[name.toLowerCase()] = value;
  return {
    version: spec.version,
    ...(spec.id !== undefined ? { id: spec.id } : {}),
    host: settings.host,
    method,
    requests: encodeRequests(method, data),
    metadata,
    ...(settings.insecure === false
      ? {
          tls: {
            ...(settings.cacert !== undefined
              ? { caFile: path.resolve(context.experimentDir, settings.cacert) }
              : {}),
            skipVerify: settings.skipTLS === true,
          },
        }
      : {}),
    plan: loadPlanOf(settings),
    ...warmupOf(settings),
  };
}

function warmupOf(settings: GrpcCallSettings): { warmup?: GrpcLoadPlan } {
  const base: GrpcLoadPlan = { ...loadPlanOf(settings), skipFirst: 0 };
  delete base.durationMs;
  if (settings.warmupDuration !== undefined && parseDuration(settings.warmupDuration) > 0) {
    return { warmup: { ...base, durationMs: parseDuration(settings.warmupDuration) } };
  }
  if (settings.warmupNumRequests !== undefined && settings.warmupNumRequests > 0) {
    return { warmup: { ...base, total: settings.warmupNumRequests } };
  }
  return {};
}

/** The proto, protoset or (when `fetch`) protoURL; undefined when none is given or a URL is not fetched. */
export async function loadSchema(
  settings: GrpcCallSettings,
  context: RemoteContext,
  options: { fetch: boolean },
): Promise<protobuf.Root | undefined> {
  if (settings.proto !== undefined) return loadProtoFile(path.resolve(context.experimentDir, settings.proto));
  if (settings.protoset !== undefined)
    return loadProtoset(path.resolve(context.experimentDir, settings.protoset));
  if (settings.protoURL !== undefined && options.fetch) {
    return parseProtoText(await fetchRemoteInput(settings.protoURL, context), settings.protoURL);
  }
  return undefined;
}

export function resolveCall(root: protobuf.Root, call: string): ResolvedMethod {
  const method = resolveMethod(root, call);
  if (method.streaming) {
    throw new PrepareProblem('call', `${call} is a streaming method; the grpc task makes unary calls only`);
  }
  return method;
}

/** Encodes each message of `data` (none: one empty message); a misfit names its field. */
export function encodeRequests(method: ResolvedMethod, data: unknown): Buffer[] {
  const messages = data === undefined ? [{}] : Array.isArray(data) ? data : [data];
  return messages.map((message, i) => {
    try {
      return encodeMessage(method.requestType, message);
    } catch (error) {
      const where = messages.length > 1 ? `data[${i}]` : 'data';
      throw new PrepareProblem(
        'data',
        `${where} does not fit ${method.requestType.name}: ${(error as Error).message}`,
        (error as { hint?: string }).hint,
        { cause: error },
      );
    }
  });
}

function metadataOf(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PrepareProblem('metadata', 'metadata must be a JSON object of strings');
  }
  const result: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw new PrepareProblem('metadata', `metadata ${name} must be a string`);
    result[name.toLowerCase()] = item;
  }
  return result;
}

/** `data` / `data-file` / `dataURL` (and the same for metadata): inline, a file, or fetched when `fetch`. */
export async function readJsonInput(
  settings: GrpcCallSettings,
  kind: 'data' | 'metadata',
  context: RemoteContext,
  fetch: boolean,
): Promise<unknown> {
  if (settings[kind] !== undefined) return settings[kind];
  const fileKey = `${kind}-file` as const;
  const urlKey = `${kind}URL` as const;
  const file = settings[fileKey];
  const url = settings[urlKey];
  let text: string;
  let origin: string;
  if (file !== undefined) {
    origin = path.resolve(context.experimentDir, file);
    text = await readFile(origin, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new PrepareProblem(
        fileKey,
        `cannot read ${origin}: ${error.code ?? error.message}`,
        'paths are relative to the experiment file',
      );
    });
  } else if (url !== undefined && fetch) {
    origin = url;
    text = await fetchRemoteInput(url, context);
  } else {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new PrepareProblem(
      file !== undefined ? fileKey : urlKey,
      `${origin} is not JSON: ${(error as Error).message}`,
    );
  }
}
