import { Type, type Static } from '@sinclair/typebox';
import {
  durationSchema,
  HeadersFromSchema,
  HeadersSchema,
  PayloadFileSchema,
  PercentilesSchema,
  urlSchema,
} from '../http/http-input.js';

const baseUrlSchema = (description: string) =>
  Type.String({ ...urlSchema(description), examples: ['http://127.0.0.1:8000/v1'] });

const LlmEndpointSchema = Type.Object(
  {
    url: baseUrlSchema('OpenAI API base of this version, e.g. http://host/v1'),
    model: Type.Optional(Type.String({ minLength: 1, description: 'Model id for this version' })),
    headers: Type.Optional(HeadersSchema),
    headersFrom: Type.Optional(HeadersFromSchema),
  },
  {
    additionalProperties: false,
    description: 'One version; headers and headersFrom merge with the task-level ones',
  },
);

const SyntheticPromptsSchema = Type.Object(
  {
    synthetic: Type.Object(
      {
        count: Type.Optional(
          Type.Integer({ minimum: 1, maximum: 100_000, description: 'Prompts (default 100)' }),
        ),
        minWords: Type.Optional(
          Type.Integer({ minimum: 1, description: 'Shortest prompt in words (default 16)' }),
        ),
        maxWords: Type.Optional(
          Type.Integer({ minimum: 1, description: 'Longest prompt in words (default 256)' }),
        ),
        seed: Type.Optional(
          Type.Integer({ description: 'PRNG seed (default 1): the same seed, the same prompts' }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  {
    additionalProperties: false,
    description: 'Seeded synthetic prompts whose lengths are uniform between minWords and maxWords',
  },
);

const PromptsSchema = Type.Union(
  [
    Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Prompts, sent in turn' }),
    PayloadFileSchema,
    SyntheticPromptsSchema,
  ],
  {
    description:
      'A list of prompts; {file: prompts.jsonl} (one JSON string, or object with "prompt", per line; ' +
      'relative to the experiment); or {synthetic: {count, minWords, maxWords, seed}}. Default: synthetic',
  },
);

export const LlmInputSchema = Type.Object(
  {
    url: Type.Optional(
      baseUrlSchema('OpenAI API base to load (version 0), e.g. http://host/v1; or use endpoints'),
    ),
    endpoints: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }), LlmEndpointSchema, {
        additionalProperties: false,
        minProperties: 1,
        description:
          'API bases by id, one per version: the i-th in file order is version i. Loaded one after another',
      }),
    ),
    api: Type.Optional(
      // An enum rather than a union of literals: one diagnostic that lists both values.
      Type.Unsafe<'chat' | 'completions'>({
        type: 'string',
        enum: ['chat', 'completions'],
        description:
          'chat: POST {url}/chat/completions with messages; completions: POST {url}/completions (default chat)',
      }),
    ),
    model: Type.Optional(Type.String({ minLength: 1, description: 'Model id sent in every request' })),
    prompts: Type.Optional(PromptsSchema),
    maxTokens: Type.Optional(
      Type.Integer({ minimum: 1, description: 'max_tokens of each request (default 64)' }),
    ),
    stream: Type.Optional(
      Type.Boolean({
        description:
          'Stream tokens as server-sent events (default true). false: TTFT is the whole response time, no ITL',
      }),
    ),
    temperature: Type.Optional(Type.Number({ minimum: 0, description: 'Sampling temperature' })),
    body: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'Extra request body fields (e.g. top_p, ignore_eos); the task sets model, prompt, stream',
      }),
    ),
    numRequests: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Requests per version (default 20)' }),
    ),
    duration: Type.Optional(
      durationSchema('Load each version for this long instead of a number of requests'),
    ),
    concurrency: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1024,
        description: 'Streams in flight at once per version (default 1)',
      }),
    ),
    qps: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        description:
          'Requests started per second (constant rate). Latencies count from the intended start, so a ' +
          'server that falls behind shows in TTFT rather than in a lower rate. Absent: back to back',
      }),
    ),
    headers: Type.Optional(HeadersSchema),
    headersFrom: Type.Optional(HeadersFromSchema),
    timeout: Type.Optional(
      durationSchema('Per-request timeout, from start to the end of the stream (default 60s)'),
    ),
    percentiles: Type.Optional(PercentilesSchema),
  },
  { additionalProperties: false },
);

export type LlmInput = Static<typeof LlmInputSchema>;
export type PromptsInput = NonNullable<LlmInput['prompts']>;
