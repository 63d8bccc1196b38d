import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema } from '../../config/experiment-schema.js';
import { secretSourceSchema } from '../../metrics/backend/secret-source-schema.js';

/** ghz accepts `10s` and, as Go durations go, `1m30s`; a bare number is not a duration. */
const durationSchema = (description: string) =>
  Type.String({ pattern: DurationSchema.pattern, description, examples: DurationSchema.examples });

const httpUrlSchema = (description: string) =>
  Type.String({ pattern: '^https?://', description, examples: ['https://example.com/service.proto'] });

const MessageSchema = Type.Record(Type.String(), Type.Unknown());

/**
 * One call's settings, with ghz's configuration names as Iter8 embedded them. The task level and each
 * endpoint share them; an endpoint's own setting wins.
 */
const callSettings = {
  host: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Server address, host:port (ghz `host`); any gRPC target such as dns:///name:port',
      examples: ['127.0.0.1:50051'],
    }),
  ),
  call: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'The method: package.Service.Method (or package.Service/Method)',
      examples: ['helloworld.Greeter.SayHello'],
    }),
  ),
  proto: Type.Optional(
    Type.String({
      minLength: 1,
      description: '.proto file that defines the call, relative to the experiment file',
    }),
  ),
  protoURL: Type.Optional(
    httpUrlSchema(
      '.proto file fetched when the task runs (cached like templates); its imports must be well-known types',
    ),
  ),
  protoset: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Compiled FileDescriptorSet (protoc --descriptor_set_out), relative to the experiment file',
    }),
  ),
  data: Type.Optional(
    Type.Union([MessageSchema, Type.Array(MessageSchema, { minItems: 1 })], {
      description:
        'The request message as JSON (proto field names or their lowerCamelCase JSON names); a list is sent round robin',
    }),
  ),
  dataURL: Type.Optional(
    httpUrlSchema('JSON request message fetched when the task runs (cached like templates)'),
  ),
  'data-file': Type.Optional(
    Type.String({
      minLength: 1,
      description: 'JSON request message in a file, relative to the experiment file',
    }),
  ),
  metadata: Type.Optional(
    Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }), Type.String(), {
      description: 'Request metadata (headers); names only ever appear in logs',
    }),
  ),
  metadataFrom: Type.Optional(
    Type.Record(
      Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }),
      secretSourceSchema(
        'A metadata value from an environment variable or a file (relative to the experiment), with an ' +
          'optional prefix such as "Bearer "; never logged or recorded',
      ),
      {
        additionalProperties: false,
        description:
          'Metadata whose values are secrets (canary), e.g. authorization: {env: TOKEN, prefix: "Bearer "}',
      },
    ),
  ),
  metadataURL: Type.Optional(
    httpUrlSchema('JSON metadata object fetched when the task runs (cached like templates)'),
  ),
  'metadata-file': Type.Optional(
    Type.String({
      minLength: 1,
      description: 'JSON metadata object in a file, relative to the experiment file',
    }),
  ),
  total: Type.Optional(
    Type.Integer({ minimum: 1, description: 'Calls to make per endpoint (default 200); skipFirst included' }),
  ),
  concurrency: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 10_000,
      description: 'Calls in flight at once per endpoint (default 50)',
    }),
  ),
  connections: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 1024,
      description: 'HTTP/2 connections per endpoint (default 1); the concurrent calls share them round robin',
    }),
  ),
  rps: Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      description:
        'Constant call rate per endpoint; latency counts from the intended send time (coordinated omission ' +
        'corrected). Absent: as fast as `concurrency` allows',
    }),
  ),
  duration: Type.Optional(
    durationSchema('Call for this long instead of `total` calls (as in ghz, duration wins over total)'),
  ),
  timeout: Type.Optional(durationSchema('Deadline of each call (default 20s)')),
  dialTimeout: Type.Optional(
    durationSchema('Time to wait for the connection before the load starts (default 10s)'),
  ),
  'connect-timeout': Type.Optional(durationSchema("ghz's spelling of dialTimeout")),
  insecure: Type.Optional(Type.Boolean({ description: 'Plaintext, no TLS (default true, as in Iter8)' })),
  cacert: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'PEM file of the certificate authority for TLS, relative to the experiment',
    }),
  ),
  skipTLS: Type.Optional(Type.Boolean({ description: "With TLS, don't verify the server's certificate" })),
  warmupNumRequests: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: "Iter8 chart's warmup: calls made first at the same load, their results discarded",
    }),
  ),
  warmupDuration: Type.Optional(
    durationSchema("Iter8 chart's warmup by time: calls made first for this long, their results discarded"),
  ),
  skipFirst: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: 'Calls that end first and are left out of the metrics (warmup), as in ghz',
    }),
  ),
};

const EndpointIdSchema = Type.String({ pattern: '^[A-Za-z0-9_.-]+$' });

export const GrpcEndpointSchema = Type.Object(callSettings, {
  additionalProperties: false,
  description: "One endpoint: its settings override the task-level ones (ghz's names)",
});

export const GrpcInputSchema = Type.Object(
  {
    ...callSettings,
    endpoints: Type.Optional(
      Type.Record(EndpointIdSchema, GrpcEndpointSchema, {
        additionalProperties: false,
        minProperties: 1,
        description:
          'Endpoints by id, one per version: the i-th endpoint in file order is version i, unless `versions` ' +
          'lists the ids in version order. Endpoints are loaded one after another.',
      }),
    ),
    versions: Type.Optional(
      Type.Array(EndpointIdSchema, {
        minItems: 1,
        uniqueItems: true,
        description: 'Endpoint ids in version-index order: versions[i] is the endpoint of version i',
      }),
    ),
    warmup: Type.Optional(
      Type.Boolean({
        description:
          "Iter8's warmup task: make the calls, record nothing (the chart's warmup rendered as a task)",
      }),
    ),
    percentiles: Type.Optional(
      Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 100 }), {
        uniqueItems: true,
        description:
          'Latency percentiles recorded as grpc/latency-p<P> (default [50, 75, 90, 95, 99, 99.9]); an SLO may ' +
          'name any other, e.g. grpc/latency/p97.5',
      }),
    ),
  },
  { additionalProperties: false },
);

export type GrpcInput = Static<typeof GrpcInputSchema>;
export type GrpcCallSettings = Static<typeof GrpcEndpointSchema>;
export type GrpcMessage = Static<typeof MessageSchema>;
