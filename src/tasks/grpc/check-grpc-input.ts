import { stat } from 'node:fs/promises';
import path from 'node:path';
import type protobuf from 'protobufjs';
import { isSensitiveHeader } from '../../metrics/backend/secrets.js';
import { parseDuration } from '../../util/duration.js';
import { literalCredentialWarning } from '../literal-credential.js';
import type { CheckContext, TaskProblem } from '../task-definition.js';
import { listGrpcEndpoints, type GrpcEndpointSpec } from './grpc-endpoints.js';
import type { GrpcCallSettings, GrpcInput } from './grpc-input.js';
import { CallProblem } from './grpc-method.js';
import { defaultTotal } from './load-plan.js';
import { encodeRequests, loadSchema, PrepareProblem, readJsonInput, resolveCall } from './prepare-call.js';
import { ProtoError } from './proto-schema.js';

type Path = Array<string | number>;

/**
 * Checks the schema cannot express, at validate time: one proto source, local protos and protosets
 * parsed (syntax errors as file:line:col), the call resolved ("did you mean"), local data encoded into
 * the request message (a misfit names its field). URL inputs are fetched only when the task runs.
 */
export async function checkGrpcInput(input: GrpcInput, context: CheckContext): Promise<TaskProblem[]> {
  const problems: TaskProblem[] = [...checkVersions(input, context)];
  const schemas = new Map<string, Promise<protobuf.Root | undefined>>();
  for (const spec of listGrpcEndpoints(input)) {
    problems.push(...checkSettings(input, spec), ...(await checkCall(input, spec, context, schemas)));
  }
  return dedupe(problems);
}

/** Where a merged setting was written: on the endpoint, else at the task level. */
function pathOf(input: GrpcInput, spec: GrpcEndpointSpec, key: keyof GrpcCallSettings): Path {
  const endpoint = spec.id !== undefined ? input.endpoints?.[spec.id] : undefined;
  return endpoint && endpoint[key] !== undefined ? [...spec.path, key] : [key];
}

function checkSettings(input: GrpcInput, spec: GrpcEndpointSpec): TaskProblem[] {
  const { settings } = spec;
  const problems: TaskProblem[] = [];
  const error = (path: Path, message: string, extra: Partial<TaskProblem> = {}) =>
    problems.push({ severity: 'error', path, message, ...extra });
  const where = spec.id !== undefined ? `endpoint ${spec.id}` : 'the task';
  if (settings.host === undefined) {
    error(spec.path, `${where} has no host`, { hint: 'for example host: 127.0.0.1:50051' });
  }
  if (settings.call === undefined) {
    error(spec.path, `${where} has no call`, { hint: 'for example call: helloworld.Greeter.SayHello' });
  }
  const groups: Array<Array<keyof GrpcCallSettings>> = [
    ['proto', 'protoURL', 'protoset'],
    ['data', 'dataURL', 'data-file'],
    ['metadata', 'metadataURL', 'metadata-file'],
    ['dialTimeout', 'connect-timeout'],
    ['warmupNumRequests', 'warmupDuration'],
  ];
  for (const group of groups) {
    const given = group.filter((key) => settings[key] !== undefined);
    if (given.length > 1)
      error(pathOf(input, spec, given[1]!), `give one of ${given.join(', ')}, not both`, { atKey: true });
  }
  if (settings.proto === undefined && settings.protoURL === undefined && settings.protoset === undefined) {
    error(spec.path, `${where} has no proto, protoURL or protoset defining the call`, {
      hint: 'canary does not use server reflection; give the .proto file',
    });
  }
  for (const key of ['timeout', 'dialTimeout', 'connect-timeout', 'duration', 'warmupDuration'] as const) {
    const text = settings[key];
    if (text !== undefined && parseDuration(text) <= 0)
      error(pathOf(input, spec, key), `${key} must be more than 0`);
  }
  if (
    settings.skipFirst !== undefined &&
    settings.duration === undefined &&
    settings.skipFirst >= (settings.total ?? defaultTotal)
  ) {
    error(
      pathOf(input, spec, 'skipFirst'),
      `skipFirst ${settings.skipFirst} leaves none of the ${settings.total ?? defaultTotal} calls to measure`,
    );
  }
  for (const name of Object.keys(settings.metadata ?? {})) {
    if (isSensitiveHeader(name)) {
      problems.push({
        ...literalCredentialWarning([...pathOf(input, spec, 'metadata'), name], name),
        message: `metadata ${name} looks like a credential written into the experiment`,
        hint: `read it from a secret: metadataFrom: {${name}: {env: VARIABLE, prefix: "Bearer "}} (or {file: path})`,
      });
    }
  }
  if (settings.insecure !== false && (settings.cacert !== undefined || settings.skipTLS !== undefined)) {
    problems.push({
      severity: 'warning',
      path: pathOf(input, spec, settings.cacert !== undefined ? 'cacert' : 'skipTLS'),
      message: 'TLS settings have no effect while insecure is true (the default, as in Iter8)',
      hint: 'set insecure: false to call over TLS',
    });
  }
  return problems;
}

async function checkCall(
  input: GrpcInput,
  spec: GrpcEndpointSpec,
  context: CheckContext,
  schemas: Map<string, Promise<protobuf.Root | undefined>>,
): Promise<TaskProblem[]> {
  const { settings } = spec;
  const remote = { experimentDir: context.experimentDir, env: context.env };
  const sourceKey =
    settings.proto !== undefined ? 'proto' : settings.protoset !== undefined ? 'protoset' : undefined;
  const problems: TaskProblem[] = [];
  if (settings.cacert !== undefined) {
    const file = path.resolve(context.experimentDir, settings.cacert);
    if (!(await stat(file).catch(() => undefined))?.isFile()) {
      problems.push({
        severity: 'error',
        path: pathOf(input, spec, 'cacert'),
        message: `cacert file ${file} does not exist`,
      });
    }
  }
  // Metadata from a file is read here too, so a bad file fails validate rather than the run.
  try {
    await readJsonInput(settings, 'metadata', remote, false);
  } catch (error) {
    problems.push(problemOf(input, spec, error, 'metadata'));
  }
  if (sourceKey === undefined) return problems;
  const cacheKey = `${sourceKey}:${path.resolve(context.experimentDir, settings[sourceKey]!)}`;
  let root: protobuf.Root | undefined;
  try {
    let pending = schemas.get(cacheKey);
    if (!pending) schemas.set(cacheKey, (pending = loadSchema(settings, remote, { fetch: false })));
    root = await pending;
  } catch (error) {
    if (error instanceof ProtoError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      problems.push({
        severity: 'error',
        path: pathOf(input, spec, sourceKey),
        message:
          error instanceof ProtoError
            ? `${sourceKey} ${error.message}`
            : `${sourceKey} file ${path.resolve(context.experimentDir, settings[sourceKey]!)} does not exist`,
        hint: error instanceof ProtoError ? undefined : 'paths are relative to the experiment file',
      });
      return problems;
    }
    throw error;
  }
  if (!root || settings.call === undefined) return problems;
  try {
    const method = resolveCall(root, settings.call);
    encodeRequests(method, await readJsonInput(settings, 'data', remote, false));
  } catch (error) {
    // A misfit of data read from a file or URL points at that input.
    const dataKey = (['data', 'data-file', 'dataURL'] as const).find((key) => settings[key] !== undefined);
    const problem = problemOf(input, spec, error, 'call');
    if (error instanceof PrepareProblem && error.key === 'data' && dataKey)
      problem.path = pathOf(input, spec, dataKey);
    problems.push(problem);
  }
  return problems;
}

function problemOf(
  input: GrpcInput,
  spec: GrpcEndpointSpec,
  error: unknown,
  fallback: keyof GrpcCallSettings,
): TaskProblem {
  if (error instanceof CallProblem) {
    return {
      severity: 'error',
      path: pathOf(input, spec, 'call'),
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  if (error instanceof PrepareProblem) {
    return {
      severity: 'error',
      path: pathOf(input, spec, error.key ?? fallback),
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  throw error;
}

function checkVersions(input: GrpcInput, context: CheckContext): TaskProblem[] {
  const problems: TaskProblem[] = [];
  if (input.versions !== undefined) {
    if (input.endpoints === undefined) {
      problems.push({
        severity: 'error',
        path: ['versions'],
        message: 'versions maps endpoint ids to versions: it needs endpoints',
      });
    } else {
      input.versions.forEach((id, i) => {
        if (!(id in input.endpoints!))
          problems.push({
            severity: 'error',
            path: ['versions', i],
            message: `no endpoint with id ${JSON.stringify(id)}`,
          });
      });
      for (const id of Object.keys(input.endpoints)) {
        if (!input.versions.includes(id)) {
          problems.push({
            severity: 'error',
            path: ['endpoints', id],
            message: `endpoint ${id} is not listed in versions, so no version would measure it`,
            atKey: true,
          });
        }
      }
    }
  }
  const measured =
    input.endpoints === undefined ? 1 : (input.versions ?? Object.keys(input.endpoints)).length;
  const known = context.versions?.length;
  if (known !== undefined && known > 0 && measured !== known) {
    problems.push({
      severity: 'warning',
      path: input.endpoints !== undefined ? ['endpoints'] : [],
      message: `grpc measures ${measured} version(s) but spec.versions names ${known}`,
    });
  }
  return problems;
}

/** A task-level mistake shared by every endpoint is reported once. */
function dedupe(problems: TaskProblem[]): TaskProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = JSON.stringify([problem.path, problem.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
