import { stat } from 'node:fs/promises';
import { formatDuration, parseDuration } from '../../util/duration.js';
import type { CheckContext, TaskProblem } from '../task-definition.js';
import { iter8EndpointOnlyKeys, type HttpInput, type PayloadInput } from './http-input.js';
import { listEndpoints } from './endpoints.js';
import { hasNamedEndpoints, metricGroupsOf, payloadKeys } from './metric-groups.js';
import { defaultNumRequests } from './load-settings.js';
import { payloadFileOf, resolvePayloadPath } from './payload.js';
import { headerProblem } from './request-bytes.js';
import { isSensitiveHeader } from '../../metrics/backend/secrets.js';
import { literalCredentialWarning } from '../literal-credential.js';

/** Headers the HTTP client owns: they would break its keep-alive framing or protocol. */
const clientOwnedHeaders = new Set([
  'connection',
  'content-length',
  'expect',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
]);

/** A load that takes longer than this is probably a typo. */
const longRunMs = 3_600_000;

/** Semantic checks the schema cannot express; `path` is below `with`. */
export async function checkHttpInput(input: HttpInput, context: CheckContext): Promise<TaskProblem[]> {
  const problems: TaskProblem[] = [
    ...checkTargets(input, context),
    ...metricGroupsOf(input).flatMap((group) => checkLoad(group.input, group.path ?? [])),
    ...checkErrorRanges(input),
    ...checkHeaders(input),
    ...checkBodies(input),
    ...checkWarmup(input),
  ];
  problems.push(...(await checkPayloadFiles(input, context.experimentDir)));
  return problems;
}

function checkTargets(input: HttpInput, context: CheckContext): TaskProblem[] {
  const problems: TaskProblem[] = [];
  const error = (path: Array<string | number>, message: string, extra: Partial<TaskProblem> = {}) =>
    problems.push({ severity: 'error', path, message, ...extra });
  const named = hasNamedEndpoints(input);
  problems.push(...checkEndpointsForm(input, named));
  if (input.url !== undefined && input.endpoints !== undefined && !named) {
    error(['url'], 'give either url or endpoints, not both', { hint: namedHint });
  } else if (input.url === undefined && input.endpoints === undefined) {
    error([], 'give the url to load, or endpoints (one per version)', {
      hint: 'for example url: http://my-service:8080/',
    });
  }
  if (input.versions !== undefined) {
    if (input.endpoints === undefined) {
      error(['versions'], 'versions maps endpoint ids to versions: it needs endpoints');
    } else {
      input.versions.forEach((id, i) => {
        if (!(id in input.endpoints!)) error(['versions', i], `no endpoint with id ${JSON.stringify(id)}`);
      });
      for (const id of Object.keys(input.endpoints)) {
        if (!input.versions.includes(id)) {
          error(
            ['endpoints', id],
            `endpoint ${id} is not listed in versions, so no version would measure it`,
            {
              atKey: true,
            },
          );
        }
      }
    }
  }
  const groups = metricGroupsOf(input);
  for (const group of groups) {
    for (const endpoint of listEndpoints(group.input)) {
      const problem = urlProblem(endpoint.url);
      if (problem) error(group.path ? [...group.path, 'url'] : endpoint.path, problem);
    }
  }
  if (named) return problems; // Iter8's named endpoints all measure version 0
  const endpoints = listEndpoints(input);
  const known = context.versions?.length;
  if (known !== undefined && endpoints.length > 0 && endpoints.length !== known) {
    problems.push({
      severity: 'warning',
      path: input.url !== undefined ? ['url'] : ['endpoints'],
      message:
        `http measures ${endpoints.length} version(s) (${input.url !== undefined ? 'one url' : 'one per endpoint'}) ` +
        `but spec.versions names ${known}`,
      ...(input.endpoints !== undefined && input.endpointsAre === undefined ? { hint: namedHint } : {}),
    });
  }
  return problems;
}

const namedHint =
  "for Iter8's named endpoints (each measured as version 0, metrics http-<id>/...), set endpointsAre: named; " +
  'for one endpoint per version, endpointsAre: versions';

/** `endpointsAre` against the rest of the inputs: each form's own keys. */
function checkEndpointsForm(input: HttpInput, named: boolean): TaskProblem[] {
  const problems: TaskProblem[] = [];
  if (input.endpointsAre === undefined) return problems;
  if (input.endpoints === undefined) {
    problems.push({
      severity: 'error',
      path: ['endpointsAre'],
      message: 'endpointsAre says how to read endpoints, but there are none',
      hint: 'add endpoints, or remove endpointsAre',
    });
  } else if (named && input.versions !== undefined) {
    problems.push({
      severity: 'error',
      path: ['versions'],
      message: 'versions orders per-version endpoints; named endpoints are all version 0',
      hint: 'remove versions, or set endpointsAre: versions',
    });
  } else if (!named) {
    for (const [id, endpoint] of Object.entries(input.endpoints)) {
      const key = iter8EndpointOnlyKeys.find((k) => endpoint[k] !== undefined);
      if (key === undefined) continue;
      problems.push({
        severity: 'error',
        path: ['endpoints', id, key],
        atKey: true,
        message: `${key} at an endpoint applies to named endpoints only; per-version endpoints share the task's load`,
        hint: 'move it to the task level, or set endpointsAre: named',
      });
    }
  }
  return problems;
}

function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${JSON.stringify(text)} is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `URL must be http:// or https:// (got ${url.protocol})`;
  if (url.hostname === '') return `URL ${JSON.stringify(text)} has no host`;
  if (url.username !== '' || url.password !== '')
    return 'credentials in the URL are not sent; use headers (Authorization)';
  return undefined;
}

function checkLoad(input: HttpInput, at: Array<string | number>): TaskProblem[] {
  const problems: TaskProblem[] = [];
  const durationMs = positiveDuration(input.duration, ['duration'], problems);
  positiveDuration(input.timeout, ['timeout'], problems);
  positiveDuration(input.warmupDuration, ['warmupDuration'], problems);
  const located = problems.map((problem) => ({ ...problem, path: [...at, ...problem.path] }));
  return [...located, ...checkRate(input, durationMs).map((p) => ({ ...p, path: [...at, ...p.path] }))];
}

function checkRate(input: HttpInput, durationMs: number | undefined): TaskProblem[] {
  const problems: TaskProblem[] = [];
  if (input.numRequests !== undefined && input.duration !== undefined) {
    problems.push({
      severity: 'error',
      path: ['duration'],
      message: 'give numRequests or duration, not both',
      atKey: true,
    });
    return problems;
  }
  if (input.qps === undefined || input.qps === 0) return problems;
  if (durationMs !== undefined && (durationMs / 1000) * input.qps < 1) {
    problems.push({
      severity: 'warning',
      path: ['qps'],
      message: `at ${input.qps} requests per second, ${input.duration} is time for a single request`,
    });
  }
  const requests = input.numRequests ?? (input.duration === undefined ? defaultNumRequests : undefined);
  if (requests !== undefined && (requests / input.qps) * 1000 > longRunMs) {
    problems.push({
      severity: 'warning',
      path: ['qps'],
      message: `${requests} requests at ${input.qps} per second take ${formatDuration((requests / input.qps) * 1000)}`,
      hint: 'set duration instead of numRequests, or raise qps',
    });
  }
  return problems;
}

function positiveDuration(
  text: string | undefined,
  path: Array<string | number>,
  problems: TaskProblem[],
): number | undefined {
  if (text === undefined) return undefined;
  try {
    const ms = parseDuration(text);
    if (ms > 0) return ms;
    problems.push({ severity: 'error', path, message: `${path.join('.')} must be more than 0` });
  } catch (error) {
    problems.push({ severity: 'error', path, message: (error as Error).message });
  }
  return undefined;
}

function checkErrorRanges(input: HttpInput): TaskProblem[] {
  return (input.errorRanges ?? []).flatMap((range, i): TaskProblem[] =>
    range.lower !== undefined && range.upper !== undefined && range.lower > range.upper
      ? [
          {
            severity: 'error',
            path: ['errorRanges', i],
            message: `lower ${range.lower} is above upper ${range.upper}`,
          },
        ]
      : [],
  );
}

type HeaderLevel = Pick<HttpInput, 'headers' | 'headersFrom'>;

function checkHeaders(input: HttpInput): TaskProblem[] {
  const levels: Array<[Array<string | number>, HeaderLevel]> = [
    [[], input],
    ...Object.entries(input.endpoints ?? {}).map(([id, endpoint]): [Array<string | number>, HeaderLevel] => [
      ['endpoints', id],
      endpoint,
    ]),
  ];
  const problems: TaskProblem[] = [];
  for (const [at, level] of levels) {
    const fromSecrets = new Set(Object.keys(level.headersFrom ?? {}).map((name) => name.toLowerCase()));
    for (const name of Object.keys(level.headersFrom ?? {})) {
      if (clientOwnedHeaders.has(name.toLowerCase()))
        problems.push(clientOwned([...at, 'headersFrom', name], name));
    }
    for (const [name, value] of Object.entries(level.headers ?? {})) {
      const path = [...at, 'headers', name];
      if (clientOwnedHeaders.has(name.toLowerCase())) problems.push(clientOwned(path, name));
      const problem = headerProblem(name, value);
      if (problem) problems.push({ severity: 'error', path, message: problem });
      if (fromSecrets.has(name.toLowerCase())) {
        problems.push({
          severity: 'error',
          path,
          message: `header ${name} is set in both headers and headersFrom`,
          hint: 'keep one of them',
          atKey: true,
        });
      } else if (isSensitiveHeader(name)) {
        problems.push(literalCredentialWarning(path, name));
      }
    }
  }
  return problems;
}

function clientOwned(path: Array<string | number>, name: string): TaskProblem {
  return { severity: 'error', path, message: `header ${name} is set by the HTTP client`, atKey: true };
}

type BodyLevel = Pick<HttpInput, (typeof payloadKeys)[number]>;

function bodyLevels(input: HttpInput): Array<[Array<string | number>, BodyLevel]> {
  return [
    [[], input],
    ...Object.entries(input.endpoints ?? {}).map(([id, endpoint]): [Array<string | number>, BodyLevel] => [
      ['endpoints', id],
      endpoint,
    ]),
  ];
}

/** canary's payload or one of Iter8's: Iter8 took payloadURL over payloadFile over payloadStr, with a note. */
function checkBodies(input: HttpInput): TaskProblem[] {
  const problems: TaskProblem[] = [];
  for (const [at, level] of bodyLevels(input)) {
    const given = payloadKeys.filter((key) => level[key] !== undefined);
    if (given.length < 2) continue;
    if (given.includes('payload')) {
      problems.push({
        severity: 'error',
        path: [...at, given.find((key) => key !== 'payload')!],
        message: `give the body once: payload or ${given.filter((key) => key !== 'payload').join(', ')}`,
        atKey: true,
      });
    } else {
      problems.push({
        severity: 'warning',
        path: [...at, given[given.length - 1]!],
        message: `${given.join(', ')} are all set: ${given[given.length - 1]} is sent (Iter8's precedence)`,
        atKey: true,
      });
    }
  }
  return problems;
}

function checkWarmup(input: HttpInput): TaskProblem[] {
  const problems: TaskProblem[] = [];
  const counted = typeof input.warmup === 'number' || typeof input.warmup === 'string';
  for (const key of ['warmupNumRequests', 'warmupDuration'] as const) {
    if (input[key] === undefined) continue;
    if (counted) {
      problems.push({
        severity: 'error',
        path: [key],
        message: `give warmup or ${key}, not both`,
        atKey: true,
      });
    }
    if (input.warmup === true) {
      problems.push({
        severity: 'warning',
        path: [key],
        message: `warmup: true makes the whole task a warmup; ${key} adds another warmup before it`,
        atKey: true,
      });
    }
  }
  if (input.warmupNumRequests !== undefined && input.warmupDuration !== undefined) {
    problems.push({
      severity: 'warning',
      path: ['warmupDuration'],
      message:
        "warmupNumRequests and warmupDuration are both set: warmupNumRequests is used (Iter8's precedence)",
      atKey: true,
    });
  }
  return problems;
}

async function checkPayloadFiles(input: HttpInput, experimentDir: string): Promise<TaskProblem[]> {
  const payloads = bodyLevels(input).flatMap(
    ([at, level]): Array<[Array<string | number>, PayloadInput | undefined]> => [
      [[...at, 'payload', 'file'], level.payload],
      ...(level.payloadFile !== undefined
        ? [[[...at, 'payloadFile'], { file: level.payloadFile }] as [Array<string | number>, PayloadInput]]
        : []),
    ],
  );
  const problems: TaskProblem[] = [];
  for (const [path, payload] of payloads) {
    const file = payloadFileOf(payload);
    if (file === undefined) continue;
    const resolved = resolvePayloadPath(file, experimentDir);
    const found = await stat(resolved).catch(() => undefined);
    if (!found?.isFile()) {
      problems.push({
        severity: 'error',
        path,
        message: `payload file ${resolved} ${found ? 'is not a file' : 'does not exist'}`,
        hint: 'paths are relative to the experiment file',
      });
    }
  }
  return problems;
}
