import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadProtoFile } from '../../../src/tasks/grpc/proto-schema.js';
import { after } from '../http/loopback-server.js';

export const greeterProto = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'fixtures',
  'greeter.proto',
);

export interface GreeterCall {
  name: string;
  metadata: Record<string, string>;
}

export interface GreeterServer {
  /** host:port on 127.0.0.1 */
  host: string;
  calls: GreeterCall[];
  close(): Promise<void>;
}

export interface GreeterBehaviour {
  /** Answer call n (1-based, in arrival order) with this status instead of OK. */
  fail?: (n: number) => grpc.status | undefined;
  /** Answer after at least this many ms. */
  delayMs?: (n: number) => number;
  credentials?: grpc.ServerCredentials;
}

/** A real helloworld.Greeter (grpc-js) on an ephemeral loopback port; it records every call it answers. */
export async function startGreeter(behaviour: GreeterBehaviour = {}): Promise<GreeterServer> {
  const root = await loadProtoFile(greeterProto);
  const request = root.lookupType('helloworld.HelloRequest');
  const reply = root.lookupType('helloworld.HelloReply');
  const calls: GreeterCall[] = [];
  const server = new grpc.Server();
  const definition: grpc.ServiceDefinition = {
    SayHello: {
      path: '/helloworld.Greeter/SayHello',
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: object) => Buffer.from(request.encode(value).finish()),
      requestDeserialize: (bytes: Buffer) => request.toObject(request.decode(bytes)),
      responseSerialize: (value: object) => Buffer.from(reply.encode(value).finish()),
      responseDeserialize: (bytes: Buffer) => reply.toObject(reply.decode(bytes)),
      originalName: 'sayHello',
    },
  };
  server.addService(definition, {
    SayHello(call: grpc.ServerUnaryCall<{ name?: string }, object>, callback: grpc.sendUnaryData<object>) {
      const metadata = Object.fromEntries(
        Object.entries(call.metadata.getMap()).map(([name, value]) => [name, String(value)]),
      );
      calls.push({ name: call.request.name ?? '', metadata });
      const n = calls.length;
      const answer = () => {
        const code = behaviour.fail?.(n);
        if (code !== undefined && code !== grpc.status.OK) callback({ code, details: `call ${n} fails` });
        else callback(null, { message: `Hello ${call.request.name ?? ''}` });
      };
      const delay = behaviour.delayMs?.(n) ?? 0;
      if (delay > 0) after(delay, answer);
      else answer();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      behaviour.credentials ?? grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );
  return {
    host: `127.0.0.1:${port}`,
    calls,
    close: async () => server.forceShutdown(),
  };
}

/** Files served over plain http on 127.0.0.1 (for protoURL, dataURL, metadataURL); it counts requests. */
export async function serveFiles(files: Record<string, string>) {
  let hits = 0;
  const server = http.createServer((request, response) => {
    const body = files[request.url ?? ''];
    hits++;
    response.writeHead(body === undefined ? 404 : 200);
    response.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return hits;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
