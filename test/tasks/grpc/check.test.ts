import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import protobuf from 'protobufjs';
import 'protobufjs/ext/descriptor/index.js';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../../src/config/load-experiment.js';
import { withTempDir } from '../../engine/helpers.js';
import { runOneLoop } from '../../support/run-one-loop.js';
import { greeterProto, startGreeter } from './greeter-server.js';

/** Writes e.yaml with one grpc task (its `with` as YAML lines) and greeter.proto beside it. */
async function validate(dir: string, withLines: string[], extraFiles: Record<string, string> = {}) {
  await copyFile(greeterProto, path.join(dir, 'greeter.proto'));
  for (const [name, text] of Object.entries(extraFiles)) await writeFile(path.join(dir, name), text);
  const yaml = [
    'apiVersion: canary/v1',
    'kind: Experiment',
    'metadata: { name: g }',
    'spec:',
    '  tasks:',
    '    - task: grpc',
    '      with:',
    ...withLines.map((line) => `        ${line}`),
  ].join('\n');
  await writeFile(path.join(dir, 'e.yaml'), `${yaml}\n`);
  const loaded = await loadExperiment({ file: 'e.yaml', cwd: dir, env: {} });
  return loaded.diagnostics.filter((d) => d.severity === 'error');
}

const base = ['host: 127.0.0.1:50051', 'proto: greeter.proto'];

describe('grpc task: validate', () => {
  it('accepts a call that fits its proto', async () => {
    await withTempDir(async (dir) => {
      expect(
        await validate(dir, [
          ...base,
          'call: helloworld.Greeter.SayHello',
          'data: {name: bob, repeatCount: 2, mood: CHEERFUL}',
        ]),
      ).toEqual([]);
    });
  });

  it('warns about a credential written as literal metadata, pointing to metadataFrom', async () => {
    await withTempDir(async (dir) => {
      await validate(dir, [
        ...base,
        'call: helloworld.Greeter.SayHello',
        'metadata: {authorization: Bearer x}',
      ]);
      const loaded = await loadExperiment({ file: 'e.yaml', cwd: dir, env: {} });
      const warning = loaded.diagnostics.find((d) => d.severity === 'warning');
      expect(warning?.message).toBe(
        'metadata authorization looks like a credential written into the experiment',
      );
      expect(warning?.hint).toMatch(/^read it from a secret: metadataFrom:/);
      expect(warning?.path).toBe('spec.tasks[0].with.metadata.authorization');
    });
  });

  it('points at the proto syntax error as file:line:col', async () => {
    await withTempDir(async (dir) => {
      const broken = 'syntax = "proto3";\npackage p;\nmessage A {\n  string name = ;\n}\n';
      const errors = await validate(dir, ['host: h:1', 'proto: broken.proto', 'call: p.S.M'], {
        'broken.proto': broken,
      });
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toContain(`${path.join(dir, 'broken.proto')}:4:17: illegal id ';'`);
      expect([errors[0]!.line, errors[0]!.path]).toEqual([9, 'spec.tasks[0].with.proto']);
    });
  });

  it('points at an unknown type in the proto', async () => {
    await withTempDir(async (dir) => {
      const broken = 'syntax = "proto3";\npackage p;\nmessage A {\n  Strin name = 1;\n}\n';
      const errors = await validate(dir, ['host: h:1', 'proto: broken.proto', 'call: p.S.M'], {
        'broken.proto': broken,
      });
      expect(errors[0]!.message).toContain(`broken.proto:4:3: no such Type or Enum 'Strin'`);
    });
  });

  it('says "did you mean" for an unknown call', async () => {
    await withTempDir(async (dir) => {
      const errors = await validate(dir, [...base, 'call: helloworld.Greeter.SayHelo']);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.path).toBe('spec.tasks[0].with.call');
      expect(errors[0]!.hint).toMatch(/^did you mean helloworld\.Greeter\.SayHello( or|\?)/);
    });
  });

  it('names the field of data that does not fit the request message', async () => {
    await withTempDir(async (dir) => {
      const cases: Array<[string, RegExp]> = [
        ['data: {nmae: bob}', /name:? .*|HelloRequest has no field "nmae"/],
        ['data: {name: 3}', /data does not fit HelloRequest: name: expected a string, got number 3/],
        ['data: {repeat_count: 1.5}', /repeat_count: expected an integer \(int32\)/],
        ['data: {mood: ANGRY}', /mood: expected a Mood value \(CALM, CHEERFUL\)/],
      ];
      for (const [line, pattern] of cases) {
        const errors = await validate(dir, [...base, 'call: helloworld.Greeter.SayHello', line]);
        expect(errors, line).toHaveLength(1);
        expect(errors[0]!.message, line).toMatch(pattern);
        expect(errors[0]!.path).toBe('spec.tasks[0].with.data');
      }
      const [misspelt] = await validate(dir, [
        ...base,
        'call: helloworld.Greeter.SayHello',
        'data: {nmae: bob}',
      ]);
      expect(misspelt!.message).toContain('nmae: HelloRequest has no field "nmae"');
      expect(misspelt!.hint).toBe('did you mean name?');
    });
  });

  it('reads data-file at validate time', async () => {
    await withTempDir(async (dir) => {
      const errors = await validate(
        dir,
        [...base, 'call: helloworld.Greeter.SayHello', 'data-file: d.json'],
        {
          'd.json': '{"name": ["x"]}',
        },
      );
      expect(errors[0]!.message).toMatch(/name: expected a string, got a list/);
      expect(errors[0]!.path).toBe('spec.tasks[0].with.data-file');
    });
  });

  it('rejects streaming methods, a missing proto, a missing host, and two proto sources', async () => {
    await withTempDir(async (dir) => {
      expect((await validate(dir, [...base, 'call: helloworld.Greeter.SayHellos']))[0]!.message).toMatch(
        /streaming method/,
      );
      expect((await validate(dir, ['host: h:1', 'proto: nothere.proto', 'call: a.B.C']))[0]!.message).toMatch(
        /proto cannot read .*nothere.proto: no such file/,
      );
      expect(
        (await validate(dir, ['proto: greeter.proto', 'call: helloworld.Greeter.SayHello']))[0]!.message,
      ).toMatch(/has no host/);
      const both = await validate(dir, [
        ...base,
        'protoset: x.protoset',
        'call: helloworld.Greeter.SayHello',
      ]);
      expect(both.map((d) => d.message)).toContain('give one of proto, protoset, not both');
    });
  });

  it('reads protosets (binary FileDescriptorSets) and rejects a file that is not one', async () => {
    await withTempDir(async (dir) => {
      const root = new protobuf.Root().loadSync(greeterProto, { keepCase: true });
      const set = (root as unknown as { toDescriptor(syntax: string): protobuf.Message }).toDescriptor(
        'proto3',
      );
      const descriptor = (protobuf as unknown as { descriptor: { FileDescriptorSet: protobuf.Type } })
        .descriptor;
      await writeFile(path.join(dir, 'g.protoset'), descriptor.FileDescriptorSet.encode(set).finish());
      const ok = [
        'host: h:1',
        'protoset: g.protoset',
        'call: helloworld.Greeter/SayHello',
        'data: {name: x}',
      ];
      expect(await validate(dir, ok)).toEqual([]);
      const typo = await validate(dir, [
        'host: h:1',
        'protoset: g.protoset',
        'call: helloworld.Greeter.SayHelloo',
      ]);
      expect(typo[0]!.hint).toMatch(/^did you mean helloworld\.Greeter\.SayHello( or|\?)/);
      const junk = await validate(dir, ['host: h:1', 'protoset: j.protoset', 'call: a.B.C'], {
        'j.protoset': 'not a descriptor',
      });
      expect(junk[0]!.message).toMatch(/is not a protoset/);
    });
  });
});

describe("Iter8's grpc experiment, end to end", () => {
  it('judges grpc/latency/mean, /p50, /p50.0, /p95.0, /p97.5 and grpc/error-rate', async () => {
    const server = await startGreeter();
    try {
      await withTempDir(async (dir) => {
        await copyFile(greeterProto, path.join(dir, 'greeter.proto'));
        const yaml = `apiVersion: canary/v1
kind: Experiment
metadata: { name: iter8-grpc }
spec:
  tasks:
    - task: grpc
      with:
        total: 200
        concurrency: 5
        data:
          name: bob
        timeout: 10s
        connect-timeout: 5s
        proto: greeter.proto
        call: "helloworld.Greeter.SayHello"
        host: "${server.host}"
    - task: assess
      with:
        SLOs:
          upper:
            - metric: "grpc/error-rate"
              limit: 0
            - metric: "grpc/latency/mean"
              limit: 100
            - metric: "grpc/latency/p50"
              limit: 100
            - metric: "grpc/latency/p50.0"
              limit: 100
            - metric: "grpc/latency/p95.0"
              limit: 250
            - metric: "grpc/latency/p97.5"
              limit: 500
            - metric: "grpc/latency-p97.5"
              limit: 0.000001
`;
        await writeFile(path.join(dir, 'e.yaml'), yaml);
        const loop = await runOneLoop(dir);
        expect(server.calls).toHaveLength(200);
        const verdicts = loop.slos.map((slo) => [slo.metric, slo.status]);
        expect(verdicts).toEqual([
          ['grpc/error-rate', 'pass'],
          ['grpc/latency/mean', 'pass'],
          ['grpc/latency/p50', 'pass'],
          ['grpc/latency/p50.0', 'pass'],
          ['grpc/latency/p95.0', 'pass'],
          ['grpc/latency/p97.5', 'pass'],
          // Canary's own spelling of the same value, against a limit no real call meets.
          ['grpc/latency-p97.5', 'fail'],
        ]);
        expect(loop.metrics[0]!['grpc/latency-p97.5']?.value).toBeGreaterThan(0);
      });
    } finally {
      await server.close();
    }
  });
});
