import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema } from '../../config/experiment-schema.js';
import { secretSourceSchema } from '../../metrics/backend/secret-source-schema.js';

export const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethodName = (typeof httpMethods)[number];

const MethodSchema = Type.Union(
  httpMethods.map((method) => Type.Literal(method)),
  { description: 'HTTP method (default GET, or POST when a payload is given)' },
);

export const urlSchema = (description: string) =>
  Type.String({ pattern: '^https?://', description, examples: ['http://127.0.0.1:8080/predict'] });

/** DurationSchema's syntax with a description of its own. */
export const durationSchema = (description: string) =>
  Type.String({ pattern: DurationSchema.pattern, description, examples: DurationSchema.examples });

const HeaderNameSchema = Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" });

export const HeadersSchema = Type.Record(HeaderNameSchema, Type.String(), {
  additionalProperties: false,
  description: 'Request headers sent with every request (names are HTTP tokens)',
});

export const HeadersFromSchema = Type.Record(
  HeaderNameSchema,
  secretSourceSchema(
    'A header value from an environment variable or a file (relative to the experiment), with an optional ' +
      'prefix such as "Bearer "; or a literal. Values from env or file are secrets: never logged or recorded',
  ),
  {
    additionalProperties: false,
    description:
      'Request headers whose values come from secrets, e.g. Authorization: {env: TOKEN, prefix: "Bearer "}',
  },
);

/** An object whose only key is `file` is a file reference; any other object or array is sent as JSON. */
export const PayloadFileSchema = Type.Object(
  { file: Type.String({ minLength: 1, description: 'Path of the body, relative to the experiment file' }) },
  { additionalProperties: false },
);

const PayloadSchema = Type.Union(
  [
    Type.String({ description: 'Sent as is (UTF-8)' }),
    PayloadFileSchema,
    Type.Array(Type.Unknown(), { description: 'Sent as JSON' }),
    Type.Record(Type.String(), Type.Unknown(), { description: 'Sent as JSON' }),
  ],
  {
    description:
      'Request body: a string (sent as is), {file: path} (the file, relative to the experiment), or any ' +
      'other object or array (sent as JSON). To send the JSON object {"file": ...} itself, write it as a string.',
  },
);

const ContentTypeSchema = Type.String({
  minLength: 1,
  description:
    'Content-Type of the payload (default application/json for JSON and .json files, ' +
    'text/plain; charset=utf-8 for strings and .txt files, application/octet-stream otherwise)',
});

const PayloadStrSchema = Type.String({ description: "Iter8's payloadStr: the body, sent as is (UTF-8)" });
const PayloadFilePathSchema = Type.String({
  minLength: 1,
  description: "Iter8's payloadFile: path of the body, relative to the experiment file",
});
const PayloadUrlSchema = Type.String({
  pattern: '^https?://',
  description:
    "Iter8's payloadURL: the body is fetched from this URL when the loop runs, and cached like URL templates",
});

const statusCodeSchema = (description: string) => Type.Integer({ minimum: 100, maximum: 599, description });

export const ErrorRangeSchema = Type.Object(
  {
    lower: Type.Optional(statusCodeSchema('Lowest status of the range (inclusive)')),
    upper: Type.Optional(statusCodeSchema('Highest status of the range (inclusive)')),
  },
  { additionalProperties: false, minProperties: 1 },
);

const NumRequestsSchema = Type.Integer({
  minimum: 1,
  description: 'Requests per endpoint (default 100); excludes warmup',
});
const LoadDurationSchema = durationSchema(
  'Load each endpoint for this long instead of a number of requests (Go duration)',
);
const QpsSchema = Type.Number({
  minimum: 0,
  description:
    'Requests per second per endpoint (default 8, as in Iter8); 0 sends unthrottled, as fast as ' +
    '`connections` workers go. Latency counts from the intended send time, so a stalled server shows in ' +
    'the high percentiles',
});
const ConnectionsSchema = Type.Integer({
  minimum: 1,
  maximum: 1024,
  description: 'Keep-alive connections per endpoint (default 4); without qps, one worker each',
});
const ErrorRangesSchema = Type.Array(ErrorRangeSchema, {
  description:
    'Status ranges counted as errors (default: status >= 400). Connection errors and timeouts are always errors',
});
export const PercentilesSchema = Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 100 }), {
  uniqueItems: true,
  description:
    'Latency percentiles recorded as http/latency-p<P> in addition to the defaults [50, 75, 90, 95, 99, 99.9] ' +
    '(as in Iter8)',
});
const AllowInitialErrorsSchema = Type.Boolean({
  description:
    "Iter8's allowInitialErrors. false: the first request on each connection (sent before measuring, not " +
    'counted) must get a 2xx or 418, else the task fails. true or absent: errors are only counted',
});

/** Iter8's per-endpoint inputs: an endpoint with any of them is one of Iter8's named endpoints. */
export const iter8EndpointOnlyKeys = [
  'numRequests',
  'duration',
  'qps',
  'connections',
  'payloadStr',
  'payloadFile',
  'payloadURL',
  'errorRanges',
  'percentiles',
  'allowInitialErrors',
] as const;

/** The request and load inputs an endpoint and the task both take (the endpoint's override the task's). */
const requestAndLoad = {
  method: Type.Optional(MethodSchema),
  headers: Type.Optional(HeadersSchema),
  headersFrom: Type.Optional(HeadersFromSchema),
  payload: Type.Optional(PayloadSchema),
  contentType: Type.Optional(ContentTypeSchema),
  payloadStr: Type.Optional(PayloadStrSchema),
  payloadFile: Type.Optional(PayloadFilePathSchema),
  payloadURL: Type.Optional(PayloadUrlSchema),
  numRequests: Type.Optional(NumRequestsSchema),
  duration: Type.Optional(LoadDurationSchema),
  qps: Type.Optional(QpsSchema),
  connections: Type.Optional(ConnectionsSchema),
};

export const EndpointSchema = Type.Object(
  {
    url: urlSchema('http:// or https:// URL, path and query included'),
    ...requestAndLoad,
    errorRanges: Type.Optional(ErrorRangesSchema),
    percentiles: Type.Optional(PercentilesSchema),
    allowInitialErrors: Type.Optional(AllowInitialErrorsSchema),
  },
  {
    additionalProperties: false,
    description:
      'One endpoint; its inputs override the task-level ones, headers and headersFrom merge. An endpoint ' +
      "with one of Iter8's per-endpoint inputs (numRequests, duration, qps, connections, payloadStr, " +
      'payloadFile, payloadURL, errorRanges, percentiles, allowInitialErrors) makes the map Iter8 named endpoints',
  },
);

const EndpointIdSchema = Type.String({ pattern: '^[A-Za-z0-9_.-]+$' });

export const HttpInputSchema = Type.Object(
  {
    url: Type.Optional(urlSchema('The one endpoint to load (version 0); or use endpoints')),
    endpoints: Type.Optional(
      Type.Record(EndpointIdSchema, EndpointSchema, {
        additionalProperties: false,
        minProperties: 1,
        description:
          'Endpoints by id, one per version: the i-th endpoint in file order is version i, ' +
          'unless `versions` lists the ids in version order. Endpoints are loaded one after another.',
      }),
    ),
    versions: Type.Optional(
      Type.Array(EndpointIdSchema, {
        minItems: 1,
        uniqueItems: true,
        description: 'Endpoint ids in version-index order: versions[i] is the endpoint of version i',
      }),
    ),
    endpointsAre: Type.Optional(
      Type.Union([Type.Literal('versions'), Type.Literal('named')], {
        description:
          "How to read endpoints. versions: one endpoint per version, metrics http/... named: Iter8's named " +
          'endpoints, each measured as version 0 under http-<id>/..., task-level inputs (url too) as defaults. ' +
          "Absent: named if an endpoint has one of Iter8's per-endpoint inputs or url is given beside endpoints. " +
          'Iter8 files and chart values set named',
      }),
    ),
    ...requestAndLoad,
    timeout: Type.Optional(
      durationSchema(
        'Per-request timeout (default 5s), counted from when the request is handed to the connection pool',
      ),
    ),
    errorRanges: Type.Optional(ErrorRangesSchema),
    percentiles: Type.Optional(PercentilesSchema),
    warmup: Type.Optional(
      Type.Union([Type.Boolean(), Type.Integer({ minimum: 0 }), DurationSchema], {
        description:
          'Requests (a count) or time (a Go duration) per endpoint sent before measuring, at the same load; ' +
          "their results are discarded. true (Iter8's form): the whole task is a warmup and records no metrics",
      }),
    ),
    warmupNumRequests: Type.Optional(
      Type.Integer({ minimum: 1, description: "Iter8's warmupNumRequests: warmup requests per endpoint" }),
    ),
    warmupDuration: Type.Optional(
      durationSchema("Iter8's warmupDuration: warmup time per endpoint (Go duration)"),
    ),
    allowInitialErrors: Type.Optional(AllowInitialErrorsSchema),
  },
  { additionalProperties: false },
);

export type HttpInput = Static<typeof HttpInputSchema>;
export type EndpointInput = Static<typeof EndpointSchema>;
export type PayloadInput = NonNullable<HttpInput['payload']>;
/** The inputs an endpoint of Iter8's named form may override. */
export type Iter8EndpointKey = (typeof iter8EndpointOnlyKeys)[number];
export type ErrorRange = Static<typeof ErrorRangeSchema>;
