import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { v2ProtoFile } from '../../src/model-server/kserve-v2-grpc.js';
import {
  startModelServer,
  type ModelServer,
  type ServedVersion,
} from '../../src/model-server/start-model-server.js';
import { grpcTask } from '../../src/tasks/grpc/grpc.js';
import { loadProtoFile } from '../../src/tasks/grpc/proto-schema.js';
import { taskContext } from '../tasks/http/loopback-server.js';
import { valueOf, type Exposition } from './support/parse-prometheus-text.js';
import { scrape } from './support/send-request.js';

const seedRows = [6.8, 2.8, 4.8, 1.4, 6.0, 3.4, 4.5, 1.6];
const inferData = {
  model_name: 'sklearn-iris',
  inputs: [{ name: 'input-0', datatype: 'FP32', shape: [2, 4], contents: { fp32_contents: seedRows } }],
};

let server: ModelServer;
let baseline: ServedVersion;
let candidate: ServedVersion;

beforeAll(async () => {
  server = await startModelServer({
    versions: [
      { revisionName: 'rev-00001', model: 'logistic-regression' },
      { revisionName: 'rev-00002', model: 'decision-tree', delayMs: 30, errorRate: 0.25 },
    ],
  });
  [baseline, candidate] = server.versions as [ServedVersion, ServedVersion];
});

afterAll(() => server?.stop());

/** A bare grpc-js client of the shipped V2 proto: one unary call, decoded. */
async function callV2(target: string, method: string, request: object) {
  const root = await loadProtoFile(v2ProtoFile);
  const rpc = root.lookupService('inference.GRPCInferenceService').methods[method]!;
  const requestType = rpc.resolvedRequestType!;
  const responseType = rpc.resolvedResponseType!;
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  try {
    return await new Promise<Record<string, unknown>>((resolve, reject) =>
      client.makeUnaryRequest(
        `/inference.GRPCInferenceService/${method}`,
        (value: object) => Buffer.from(requestType.encode(requestType.fromObject(value)).finish()),
        (bytes: Buffer) => responseType.toObject(responseType.decode(bytes), { longs: Number, arrays: true }),
        request,
        (error, response) => (error ? reject(error) : resolve(response as Record<string, unknown>)),
      ),
    );
  } finally {
    client.close();
  }
}

describe('KServe V2 over gRPC', () => {
  test('each revision serves gRPC on a port of its own', () => {
    expect(baseline.grpcPort).toBeGreaterThan(0);
    expect(new Set([baseline.port, candidate.port, baseline.grpcPort, candidate.grpcPort]).size).toBe(4);
    expect(baseline.grpcTarget).toBe(`127.0.0.1:${baseline.grpcPort}`);
  });

  test('ServerLive, ServerReady, ModelReady and ModelMetadata answer as the REST endpoints do', async () => {
    expect(await callV2(baseline.grpcTarget, 'ServerLive', {})).toEqual({ live: true });
    expect(await callV2(baseline.grpcTarget, 'ServerReady', {})).toEqual({ ready: true });
    expect(await callV2(baseline.grpcTarget, 'ModelReady', { name: 'sklearn-iris' })).toEqual({
      ready: true,
    });
    const metadata = await callV2(baseline.grpcTarget, 'ModelMetadata', { name: 'sklearn-iris' });
    expect(metadata).toMatchObject({
      name: 'sklearn-iris',
      inputs: [{ name: 'input-0', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'output-0', datatype: 'INT64', shape: [-1] }],
    });
    await expect(callV2(baseline.grpcTarget, 'ModelReady', { name: 'other' })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
  });

  test('ModelInfer predicts from typed or raw FP32 contents; bad tensors are INVALID_ARGUMENT', async () => {
    const typed = await callV2(baseline.grpcTarget, 'ModelInfer', { ...inferData, id: 'r1' });
    expect(typed).toMatchObject({
      model_name: 'sklearn-iris',
      id: 'r1',
      outputs: [{ name: 'output-0', datatype: 'INT64', shape: [2], contents: { int64_contents: [1, 1] } }],
    });
    const raw = Buffer.alloc(seedRows.length * 4);
    seedRows.forEach((value, i) => raw.writeFloatLE(value, i * 4));
    const fromRaw = await callV2(baseline.grpcTarget, 'ModelInfer', {
      model_name: 'sklearn-iris',
      inputs: [{ name: 'input-0', datatype: 'FP32', shape: [2, 4] }],
      raw_input_contents: [raw],
    });
    expect(fromRaw.outputs).toMatchObject([{ contents: { int64_contents: [1, 1] } }]);
    const bad = { ...inferData, inputs: [{ ...inferData.inputs[0], shape: [3, 4] }] };
    await expect(callV2(baseline.grpcTarget, 'ModelInfer', bad)).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/inputs\[0\]\.data must have 12 numbers/),
    });
  });

  test('the grpc task drives both revisions; the candidate fails its share and waits its delay', async () => {
    const before = await Promise.all(server.versions.map((v) => scrape(v.metricsUrl)));
    const context = taskContext();
    await grpcTask.run(
      {
        call: 'inference.GRPCInferenceService.ModelInfer',
        proto: v2ProtoFile,
        data: inferData,
        total: 40,
        concurrency: 4,
        endpoints: { candidate: { host: candidate.grpcTarget }, baseline: { host: baseline.grpcTarget } },
      },
      context,
    );
    const metric = (name: string, version: number) => context.metrics.get(version, `grpc/${name}`)?.value;
    expect([metric('request-count', 0), metric('request-count', 1)]).toEqual([40, 40]);
    expect([metric('error-count', 0), metric('error-count', 1)]).toEqual([10, 0]);
    expect(metric('status-internal', 0)).toBe(10);
    expect(metric('latency/min', 0)).toBeGreaterThanOrEqual(30);
    // The queue-proxy counts every call, as response_code 200 (gRPC errors travel in trailers).
    const after = await Promise.all(server.versions.map((v) => scrape(v.metricsUrl)));
    for (const [i, text] of after.entries()) {
      const count = (body: Exposition) =>
        valueOf(body, 'revision_app_request_count', { response_code: '200' });
      expect(count(text) - count(before[i]!)).toBe(40);
    }
  });
});
