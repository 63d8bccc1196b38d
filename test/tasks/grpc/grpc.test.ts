import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { TaskError } from '../../../src/errors.js';
import { grpcTask, type GrpcInput } from '../../../src/tasks/grpc/grpc.js';
import { runGrpc } from '../../../src/tasks/grpc/run-grpc.js';
import { withTempDir } from '../../engine/helpers.js';
import { makeTestCertificate } from '../../support/test-certificate.js';
import { taskContext } from '../http/loopback-server.js';
import { greeterProto, serveFiles, startGreeter, type GreeterBehaviour } from './greeter-server.js';
import { closedAfterEach } from '../../support/closed-after-each.js';

const greeter = closedAfterEach((behaviour?: GreeterBehaviour) => startGreeter(behaviour));

const sayHello = (host: string, extra: Partial<GrpcInput> = {}): GrpcInput => ({
  host,
  call: 'helloworld.Greeter.SayHello',
  proto: greeterProto,
  ...extra,
});

function valueOf(context: ReturnType<typeof taskContext>, metric: string, version = 0) {
  return context.metrics.get(version, `grpc/${metric}`)?.value;
}

describe('grpc task against a real Greeter', () => {
  it("runs Iter8's experiment shape: exactly 200 calls, all OK, Iter8's metric names", async () => {
    const server = await greeter();
    const context = taskContext();
    await grpcTask.run(
      sayHello(server.host, {
        total: 200,
        concurrency: 5,
        data: { name: 'bob' },
        timeout: '10s',
        'connect-timeout': '5s',
      }),
      context,
    );
    expect(server.calls).toHaveLength(200);
    expect(server.calls.every((call) => call.name === 'bob')).toBe(true);
    expect(valueOf(context, 'request-count')).toBe(200);
    expect(valueOf(context, 'error-count')).toBe(0);
    expect(valueOf(context, 'error-rate')).toBe(0);
    expect(valueOf(context, 'status-ok')).toBe(200);
    for (const name of [
      'latency/mean',
      'latency/p50',
      'latency/p50.0',
      'latency/p95.0',
      'latency/p97.5',
      'latency-mean',
    ]) {
      expect(valueOf(context, name)).toBeGreaterThan(0);
    }
    expect(valueOf(context, 'latency/min')).toBeLessThanOrEqual(valueOf(context, 'latency/p50')!);
    expect(valueOf(context, 'latency/p97.5')).toBeLessThanOrEqual(valueOf(context, 'latency/max')!);
    expect(valueOf(context, 'latency/count')).toBe(200);
    expect(context.metrics.distribution(0, 'grpc/latency')?.reduce((sum, bin) => sum + bin.count, 0)).toBe(
      200,
    );
  });

  it('defaults to 200 calls, as ghz and Iter8 do', async () => {
    const server = await greeter();
    await grpcTask.run(sayHello(server.host, { data: { name: 'x' } }), taskContext());
    expect(server.calls).toHaveLength(200);
  });

  it('counts errors by status when the server fails a known fraction of calls', async () => {
    const server = await greeter({ fail: (n) => (n % 4 === 0 ? grpc.status.INTERNAL : undefined) });
    const context = taskContext();
    const result = await grpcTask.run(sayHello(server.host, { total: 100, concurrency: 4 }), context);
    expect(server.calls).toHaveLength(100);
    expect(valueOf(context, 'request-count')).toBe(100);
    expect(valueOf(context, 'error-count')).toBe(25);
    expect(valueOf(context, 'error-rate')).toBe(0.25);
    expect(valueOf(context, 'status-internal')).toBe(25);
    expect(valueOf(context, 'status-ok')).toBe(75);
    expect(result?.output).toContain('INTERNAL x25');
  });

  it('ends calls at their deadline and counts them as DEADLINE_EXCEEDED, with their latency', async () => {
    const server = await greeter({ delayMs: (n) => (n <= 3 ? 1_000 : 0) });
    const context = taskContext();
    await grpcTask.run(sayHello(server.host, { total: 10, concurrency: 1, timeout: '150ms' }), context);
    expect(valueOf(context, 'request-count')).toBe(10);
    expect(valueOf(context, 'status-deadline-exceeded')).toBe(3);
    expect(valueOf(context, 'error-count')).toBe(3);
    expect(valueOf(context, 'latency/max')).toBeGreaterThanOrEqual(150);
  });

  it('fails the task with exit-code class "error" when the host does not answer', async () => {
    const port = await closedPort();
    const error = await grpcTask
      .run(sayHello(`127.0.0.1:${port}`, { dialTimeout: '300ms' }), taskContext())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).kind).toBe('error');
    expect((error as TaskError).message).toMatch(
      new RegExp(`could not connect to 127.0.0.1:${port} within 300ms`),
    );
  });

  it('calls over TLS with a given certificate authority, and refuses a server it cannot verify', async () => {
    await withTempDir(async (dir) => {
      const { key, cert } = makeTestCertificate(dir);
      const server = await greeter({
        credentials: grpc.ServerCredentials.createSsl(null, [
          { private_key: Buffer.from(key), cert_chain: Buffer.from(cert) },
        ]),
      });
      await writeFile(path.join(dir, 'ca.pem'), cert);
      const context = taskContext({ experimentDir: dir });
      await grpcTask.run(sayHello(server.host, { insecure: false, cacert: 'ca.pem', total: 20 }), context);
      expect(valueOf(context, 'status-ok')).toBe(20);
      // Plaintext against a TLS server, or TLS without the authority, never connects.
      for (const input of [
        sayHello(server.host, { dialTimeout: '500ms' }),
        sayHello(server.host, { insecure: false, dialTimeout: '500ms' }),
      ]) {
        await expect(grpcTask.run(input, taskContext({ experimentDir: dir }))).rejects.toThrow(
          /could not connect/,
        );
      }
      const skipped = taskContext({ experimentDir: dir });
      await grpcTask.run(sayHello(server.host, { insecure: false, skipTLS: true, total: 5 }), skipped);
      expect(valueOf(skipped, 'status-ok')).toBe(5);
    });
  });

  it('skipFirst leaves the first calls out of the tally; metadata reaches the server', async () => {
    const server = await greeter();
    const context = taskContext();
    await grpcTask.run(
      sayHello(server.host, { total: 20, skipFirst: 5, concurrency: 2, metadata: { 'x-tenant': 'blue' } }),
      context,
    );
    expect(server.calls).toHaveLength(20);
    expect(valueOf(context, 'request-count')).toBe(15);
    expect(server.calls.every((call) => call.metadata['x-tenant'] === 'blue')).toBe(true);
  });

  it('metadataFrom reads a secret from the environment; it reaches the server and no log or output', async () => {
    const server = await greeter();
    const context = { ...taskContext(), env: { TOKEN: 's3cr3t-value' } };
    const result = await grpcTask.run(
      sayHello(server.host, {
        total: 3,
        metadataFrom: { authorization: { env: 'TOKEN', prefix: 'Bearer ' } },
      }),
      context,
    );
    expect(server.calls.map((call) => call.metadata.authorization)).toEqual(
      Array(3).fill('Bearer s3cr3t-value'),
    );
    expect(JSON.stringify([result, context.logs])).not.toContain('s3cr3t');
    const missing = await grpcTask
      .run(sayHello(server.host, { metadataFrom: { authorization: { env: 'NOPE' } } }), taskContext())
      .catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/NOPE/);
  });

  it("Iter8's warmup: warmupNumRequests calls go first and are not counted; warmup: true records nothing", async () => {
    const server = await greeter();
    const context = taskContext();
    await grpcTask.run(sayHello(server.host, { total: 20, warmupNumRequests: 7, concurrency: 3 }), context);
    expect(server.calls).toHaveLength(27);
    expect(valueOf(context, 'request-count')).toBe(20);
    const warmupOnly = taskContext();
    await grpcTask.run(sayHello(server.host, { total: 5, warmup: true }), warmupOnly);
    expect(server.calls).toHaveLength(32);
    expect(warmupOnly.metrics.names()).toEqual([]);
  });

  it('sends a list of messages round robin', async () => {
    const server = await greeter();
    await grpcTask.run(
      sayHello(server.host, {
        total: 6,
        concurrency: 1,
        data: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
      }),
      taskContext(),
    );
    expect(server.calls.map((call) => call.name)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('measures one endpoint per version', async () => {
    const [stable, candidate] = [await greeter(), await greeter()];
    const context = taskContext();
    await grpcTask.run(
      {
        call: 'helloworld.Greeter.SayHello',
        proto: greeterProto,
        total: 30,
        endpoints: { stable: { host: stable.host }, candidate: { host: candidate.host, total: 12 } },
      },
      context,
    );
    expect([stable.calls.length, candidate.calls.length]).toEqual([30, 12]);
    expect([valueOf(context, 'request-count', 0), valueOf(context, 'request-count', 1)]).toEqual([30, 12]);
  });

  it('at a constant rps, counts latency from the intended send time', async () => {
    // The server holds call 10 for 500 ms; with 2 calls in flight at most, the calls due meanwhile wait.
    const server = await greeter({ delayMs: (n) => (n === 10 ? 500 : 0) });
    const context = taskContext();
    await grpcTask.run(sayHello(server.host, { total: 60, rps: 50, concurrency: 1 }), context);
    expect(valueOf(context, 'request-count')).toBe(60);
    expect(valueOf(context, 'latency/max')).toBeGreaterThanOrEqual(500);
    expect(valueOf(context, 'latency/p90')).toBeGreaterThanOrEqual(100);
  });

  it('with a duration and an rps, makes duration x rps calls (duration wins over total, as in ghz)', async () => {
    const server = await greeter();
    const context = taskContext();
    await grpcTask.run(sayHello(server.host, { duration: '300ms', rps: 100, total: 5 }), context);
    expect(server.calls).toHaveLength(30);
    expect(valueOf(context, 'request-count')).toBe(30);
  });

  it('fetches protoURL and dataURL when it runs, and uses the cached copies offline', async () => {
    await withTempDir(async (dir) => {
      const server = await greeter();
      const files = await serveFiles({
        '/greeter.proto': await import('node:fs/promises').then((fs) => fs.readFile(greeterProto, 'utf8')),
        '/data.json': JSON.stringify({ name: 'from-url' }),
      });
      const input = sayHello(server.host, {
        proto: undefined,
        protoURL: `${files.url}/greeter.proto`,
        dataURL: `${files.url}/data.json`,
        total: 3,
      });
      delete input.proto;
      const env = { CANARY_CACHE_DIR: path.join(dir, 'cache') };
      await grpcTask.run(input, { ...taskContext({ experimentDir: dir }), env });
      expect(files.hits).toBe(2);
      await files.close();
      await grpcTask.run(input, {
        ...taskContext({ experimentDir: dir }),
        env: { ...env, CANARY_OFFLINE: '1' },
      });
      expect(server.calls.map((call) => call.name)).toEqual(Array(6).fill('from-url'));
    });
  });

  it('an abort stops the calls and fails the task as interrupted', async () => {
    const server = await greeter({ delayMs: () => 20 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const context = taskContext({ signal: controller.signal });
    await expect(runGrpc(sayHello(server.host, { total: 100_000, concurrency: 2 }), context)).rejects.toThrow(
      /interrupted/,
    );
    expect(server.calls.length).toBeLessThan(100_000);
  });
});

async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
