import { checkInstanceCount, describeJson, isJsonObject, readFeatureRow } from './read-feature-row.js';
import { RequestError } from './request-error.js';

/**
 * KServe V1 ("TensorFlow Serving style") predict body: {"instances": [[f1, f2, f3, f4], ...]}.
 * Answers are {"predictions": [class, ...]}, one class index per instance, like sklearn's predict.
 */
export function parseV1Instances(body: unknown, maxInstances: number): number[][] {
  if (!isJsonObject(body)) {
    throw new RequestError(
      400,
      `request body must be a JSON object like {"instances": [[6.8, 2.8, 4.8, 1.4]]}, got ${describeJson(body)}`,
    );
  }
  const instances = body.instances;
  if (instances === undefined) throw new RequestError(400, 'request body has no "instances" field');
  if (!Array.isArray(instances)) {
    throw new RequestError(400, `instances must be an array of rows, got ${describeJson(instances)}`);
  }
  if (instances.length === 0) throw new RequestError(400, 'instances must not be empty');
  checkInstanceCount(instances.length, maxInstances);
  return instances.map((row: unknown, i) => readFeatureRow(row, `instances[${i}]`));
}

export function formatV1Predictions(predictions: readonly number[]): { predictions: number[] } {
  return { predictions: [...predictions] };
}
