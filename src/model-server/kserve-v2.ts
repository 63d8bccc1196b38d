import { randomUUID } from 'node:crypto';
import { featureCount } from './iris-data.js';
import { checkInstanceCount, describeJson, isJsonObject, readFeatureValue } from './read-feature-row.js';
import { RequestError } from './request-error.js';

/** Open Inference Protocol (KServe V2) tensor types that can carry feature values. */
const numericDatatypes = [
  'FP16',
  'FP32',
  'FP64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
];

export const v2InputName = 'input-0';
export const v2OutputName = 'output-0';

export interface V2InferRequest {
  id?: string;
  rows: number[][];
}

/**
 * KServe V2 infer body with one input tensor of shape [N, 4]:
 * {"inputs": [{"name": "input-0", "shape": [2, 4], "datatype": "FP32", "data": [...8 numbers]}]}.
 * `data` may be flat (row-major) or nested, as the JSON form of the protocol allows.
 */
export function parseV2InferRequest(body: unknown, maxInstances: number): V2InferRequest {
  if (!isJsonObject(body)) {
    throw new RequestError(
      400,
      `request body must be a JSON object like {"inputs": [...]}, got ${describeJson(body)}`,
    );
  }
  if (body.id !== undefined && typeof body.id !== 'string') {
    throw new RequestError(400, `id must be a string, got ${describeJson(body.id)}`);
  }
  const inputs = body.inputs;
  if (inputs === undefined) throw new RequestError(400, 'request body has no "inputs" field');
  if (!Array.isArray(inputs) || inputs.length !== 1) {
    const got = Array.isArray(inputs) ? `${inputs.length} tensors` : describeJson(inputs);
    throw new RequestError(400, `inputs must be an array with exactly one tensor, got ${got}`);
  }
  const rows = readInputTensor(inputs[0], 'inputs[0]', maxInstances);
  return { ...(body.id !== undefined ? { id: body.id } : {}), rows };
}

function readInputTensor(tensor: unknown, path: string, maxInstances: number): number[][] {
  if (!isJsonObject(tensor)) {
    throw new RequestError(400, `${path} must be an object with name, shape, datatype and data`);
  }
  if (typeof tensor.name !== 'string') {
    throw new RequestError(400, `${path}.name must be a string, got ${describeJson(tensor.name)}`);
  }
  if (typeof tensor.datatype !== 'string' || !numericDatatypes.includes(tensor.datatype)) {
    throw new RequestError(
      400,
      `${path}.datatype must be one of ${numericDatatypes.join(', ')}, got ${describeJson(tensor.datatype)}`,
    );
  }
  const shape = tensor.shape;
  const isShape =
    Array.isArray(shape) &&
    shape.length === 2 &&
    shape.every((n) => Number.isInteger(n) && (n as number) >= 0) &&
    shape[1] === featureCount;
  if (!isShape) {
    throw new RequestError(
      400,
      `${path}.shape must be [N, ${featureCount}], got ${JSON.stringify(shape) ?? 'nothing'}`,
    );
  }
  const rowCount = shape[0] as number;
  if (rowCount === 0)
    throw new RequestError(400, `${path} must hold at least one row (shape [0, ${featureCount}])`);
  checkInstanceCount(rowCount, maxInstances);
  if (!Array.isArray(tensor.data)) {
    throw new RequestError(400, `${path}.data must be an array, got ${describeJson(tensor.data)}`);
  }
  const flat = (tensor.data as unknown[]).flat(Infinity) as unknown[];
  const expected = rowCount * featureCount;
  if (flat.length !== expected) {
    throw new RequestError(
      400,
      `${path}.data must have ${expected} numbers for shape [${rowCount}, ${featureCount}], got ${flat.length}`,
    );
  }
  const values = flat.map((value, i) => readFeatureValue(value, `${path}.data[${i}]`));
  return Array.from({ length: rowCount }, (_, r) => values.slice(r * featureCount, (r + 1) * featureCount));
}

export interface V2InferResponse {
  model_name: string;
  id: string;
  outputs: Array<{ name: string; shape: number[]; datatype: string; data: number[] }>;
}

/** One INT64 output tensor of class indexes, shape [N]; the id echoes the request's, or is new. */
export function formatV2InferResponse(
  modelName: string,
  request: V2InferRequest,
  predictions: readonly number[],
): V2InferResponse {
  return {
    model_name: modelName,
    id: request.id ?? randomUUID(),
    outputs: [{ name: v2OutputName, shape: [predictions.length], datatype: 'INT64', data: [...predictions] }],
  };
}

/** GET /v2/models/<name>: the model's tensor signature. */
export function describeV2Model(modelName: string, platform: string) {
  return {
    name: modelName,
    versions: [] as string[],
    platform,
    inputs: [{ name: v2InputName, datatype: 'FP32', shape: [-1, featureCount] }],
    outputs: [{ name: v2OutputName, datatype: 'INT64', shape: [-1] }],
  };
}
