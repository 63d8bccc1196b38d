import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { loadProtoFile } from '../tasks/grpc/proto-schema.js';
import { packageRoot } from '../version.js';
import type { ServedRevision } from './handle-request.js';
import { describeV2Model, parseV2InferRequest, v2OutputName } from './kserve-v2.js';
import { RequestError } from './request-error.js';
import { sleepAtLeast } from './sleep-at-least.js';

/** The Open Inference Protocol's gRPC service, as shipped in the package (protos/kserve/). */
export const v2ProtoFile = path.join(packageRoot, 'protos', 'kserve', 'grpc_predict_v2.proto');
export const v2ServiceName = 'inference.GRPCInferenceService';

type Message = Record<string, unknown>;
type Handler = (request: Message, revision: ServedRevision) => Promise<Message> | Message;

/** A call the service refuses, with its gRPC status. */
class CallError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

const handlers: Record<string, Handler> = {
  ServerLive: () => ({ live: true }),
  ServerReady: () => ({ ready: true }),
  ServerMetadata: () => ({ name: 'canary-model-server', version: '1', extensions: [] }),
  ModelReady: (request, revision) => {
    checkModelName(request.name, revision);
    return { ready: true };
  },
  ModelMetadata: (request, revision) => {
    checkModelName(request.name, revision);
    return describeV2Model(revision.modelName, `canary-typescript/${revision.classifier.kind}`);
  },
  ModelInfer: inferOverGrpc,
};

/**
 * The gRPC service definition of one revision (grpc-js), answering as the REST V2 endpoints do:
 * same model, same fault injection, and every call recorded in the revision's queue-proxy metrics.
 * Knative's queue-proxy sees HTTP statuses only, and a gRPC call's is 200 whatever its grpc-status
 * (errors travel in trailers), so calls count as response_code 200 there, as on a real cluster.
 */
export async function createV2GrpcService(
  revision: ServedRevision,
): Promise<{ definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation }> {
  const root = await loadProtoFile(v2ProtoFile);
  const service = root.lookupService(v2ServiceName);
  const definition: Record<string, grpc.MethodDefinition<Message, Message>> = {};
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of service.methodsArray) {
    const requestType = method.resolvedRequestType!;
    const responseType = method.resolvedResponseType!;
    const handler = handlers[method.name];
    if (!handler) continue;
    definition[method.name] = {
      path: `/${v2ServiceName}/${method.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: Message) => encode(requestType, value),
      requestDeserialize: (bytes: Buffer) => decode(requestType, bytes),
      responseSerialize: (value: Message) => encode(responseType, value),
      responseDeserialize: (bytes: Buffer) => decode(responseType, bytes),
    };
    implementation[method.name] = (
      call: grpc.ServerUnaryCall<Message, Message>,
      callback: grpc.sendUnaryData<Message>,
    ) => {
      const arrived = performance.now();
      void Promise.resolve()
        .then(() => handler(call.request, revision))
        .then(
          (response) => ({ error: null, response }),
          (error: unknown) => ({ error: toServiceError(error), response: undefined }),
        )
        .then(({ error, response }) => {
          revision.metrics.record(200, performance.now() - arrived);
          if (error) callback(error);
          else callback(null, response);
        });
    };
  }
  return { definition: definition as grpc.ServiceDefinition, implementation };
}

/**
 * ModelInfer: one input tensor of shape [N, 4], in typed contents (fp32, fp64, int, int64) or raw
 * little-endian FP32/FP64 bytes; the answer is one INT64 tensor of class indexes.
 */
async function inferOverGrpc(request: Message, revision: ServedRevision): Promise<Message> {
  const delayMs = revision.faults.nextDelayMs();
  let outcome: { response?: Message; error?: CallError };
  try {
    if (request.model_name !== undefined && request.model_name !== '')
      checkModelName(request.model_name, revision);
    const parsed = parseV2InferRequest(toJsonInferRequest(request), revision.limits.maxInstances);
    if (revision.faults.nextRequestFails()) {
      outcome = {
        error: new CallError(
          grpc.status.INTERNAL,
          `injected failure: revision ${revision.revisionName} fails a share of its predictions`,
        ),
      };
    } else {
      const predictions = parsed.rows.map((row) => revision.classifier.predict(row));
      outcome = {
        response: {
          model_name: revision.modelName,
          id: typeof request.id === 'string' ? request.id : '',
          outputs: [
            {
              name: v2OutputName,
              datatype: 'INT64',
              shape: [predictions.length],
              contents: { int64_contents: predictions },
            },
          ],
        },
      };
    }
  } catch (error) {
    if (error instanceof RequestError)
      outcome = { error: new CallError(grpc.status.INVALID_ARGUMENT, error.message) };
    else if (error instanceof CallError) outcome = { error };
    else throw error;
  }
  await sleepAtLeast(delayMs);
  if (outcome.error) throw outcome.error;
  return outcome.response!;
}

/** The gRPC tensor in the REST form, so both protocols share one parser and its messages. */
function toJsonInferRequest(request: Message): unknown {
  const inputs = Array.isArray(request.inputs) ? (request.inputs as Message[]) : [];
  const raw = Array.isArray(request.raw_input_contents) ? (request.raw_input_contents as Uint8Array[]) : [];
  return {
    ...(typeof request.id === 'string' && request.id !== '' ? { id: request.id } : {}),
    inputs: inputs.map((tensor, i) => ({
      name: tensor.name,
      datatype: tensor.datatype,
      shape: tensor.shape,
      data: raw[i] !== undefined ? readRaw(raw[i], String(tensor.datatype)) : readContents(tensor.contents),
    })),
  };
}

function readContents(contents: unknown): number[] {
  const typed = (contents ?? {}) as Record<string, unknown[] | undefined>;
  for (const key of [
    'fp32_contents',
    'fp64_contents',
    'int_contents',
    'int64_contents',
    'uint_contents',
    'uint64_contents',
  ]) {
    const values = typed[key];
    if (values && values.length > 0) return values.map(Number);
  }
  return [];
}

function readRaw(bytes: Uint8Array, datatype: string): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = datatype === 'FP64' ? 8 : datatype === 'FP32' ? 4 : 0;
  if (size === 0)
    throw new RequestError(400, `raw_input_contents: only FP32 and FP64 are read raw, got ${datatype}`);
  if (bytes.byteLength % size !== 0) {
    throw new RequestError(
      400,
      `raw_input_contents: ${bytes.byteLength} bytes is not a whole number of ${datatype} values`,
    );
  }
  return Array.from({ length: bytes.byteLength / size }, (_, i) =>
    size === 8 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true),
  );
}

function checkModelName(name: unknown, revision: ServedRevision): void {
  if (name !== revision.modelName) {
    throw new CallError(
      grpc.status.NOT_FOUND,
      `model ${JSON.stringify(name)} is not served here; this server serves "${revision.modelName}"`,
    );
  }
}

function toServiceError(error: unknown): Partial<grpc.ServiceError> {
  if (error instanceof CallError) return { code: error.code, details: error.message };
  return { code: grpc.status.INTERNAL, details: `internal error: ${(error as Error).message}` };
}

function encode(type: protobuf.Type, value: Message): Buffer {
  return Buffer.from(type.encode(type.fromObject(value)).finish());
}

function decode(type: protobuf.Type, bytes: Buffer): Message {
  return type.toObject(type.decode(bytes), { longs: Number, arrays: true }) as Message;
}

/** One revision's gRPC server on its own port. */
export async function startV2GrpcServer(
  revision: ServedRevision,
  host: string,
  port: number,
): Promise<{ port: number; stop(): Promise<void> }> {
  const { definition, implementation } = await createV2GrpcService(revision);
  const server = new grpc.Server();
  server.addService(definition, implementation);
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    ),
  );
  return {
    port: bound,
    stop: () =>
      new Promise<void>((resolve) => {
        // In-flight calls get the same grace as the HTTP side, then are cut off.
        const force = setTimeout(() => server.forceShutdown(), 2000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
