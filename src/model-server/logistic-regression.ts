import { argmax } from './argmax.js';
import { fitStandardizer } from './standardize.js';

export interface LogisticRegressionOptions {
  /** Full-batch gradient steps. */
  iterations: number;
  learningRate: number;
  /** L2 penalty on the weights (not the intercepts), per sample. */
  l2: number;
}

export interface LogisticRegressionModel {
  /** Class probabilities for one raw (unstandardized) feature row. */
  predictProbabilities(row: readonly number[]): number[];
  predict(row: readonly number[]): number;
  /** weights[class][feature] on standardized features, and one intercept per class. */
  readonly weights: readonly (readonly number[])[];
  readonly intercepts: readonly number[];
}

/**
 * Multinomial (softmax) logistic regression by full-batch gradient descent on standardized
 * features. Zero initial weights and a fixed step count make the fit deterministic: the same data
 * always gives the same model, so a test can predict what the server answers.
 */
export function fitLogisticRegression(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  classCount: number,
  options: LogisticRegressionOptions,
): LogisticRegressionModel {
  const scaler = fitStandardizer(rows);
  const x = rows.map((row) => scaler.transform(row));
  const n = x.length;
  const width = x[0]?.length ?? 0;
  const weights = Array.from({ length: classCount }, () => new Array<number>(width).fill(0));
  const intercepts = new Array<number>(classCount).fill(0);

  for (let step = 0; step < options.iterations; step++) {
    const weightGradient = Array.from({ length: classCount }, () => new Array<number>(width).fill(0));
    const interceptGradient = new Array<number>(classCount).fill(0);
    x.forEach((features, i) => {
      const probabilities = softmax(logitsOf(features, weights, intercepts));
      for (let k = 0; k < classCount; k++) {
        // d(cross-entropy)/d(logit k) = p_k - [label is k]
        const error = (probabilities[k] ?? 0) - (labels[i] === k ? 1 : 0);
        interceptGradient[k]! += error / n;
        const row = weightGradient[k]!;
        for (let j = 0; j < width; j++) row[j]! += (error * (features[j] ?? 0)) / n;
      }
    });
    for (let k = 0; k < classCount; k++) {
      const row = weights[k]!;
      for (let j = 0; j < width; j++) {
        row[j]! -= options.learningRate * (weightGradient[k]![j]! + options.l2 * row[j]!);
      }
      intercepts[k]! -= options.learningRate * interceptGradient[k]!;
    }
  }

  const predictProbabilities = (row: readonly number[]) =>
    softmax(logitsOf(scaler.transform(row), weights, intercepts));
  return {
    predictProbabilities,
    predict: (row) => argmax(logitsOf(scaler.transform(row), weights, intercepts)),
    weights,
    intercepts,
  };
}

function logitsOf(
  features: readonly number[],
  weights: readonly (readonly number[])[],
  intercepts: readonly number[],
): number[] {
  return weights.map(
    (row, k) => (intercepts[k] ?? 0) + row.reduce((sum, w, j) => sum + w * (features[j] ?? 0), 0),
  );
}

function softmax(logits: readonly number[]): number[] {
  // Subtract the maximum so exp() cannot overflow.
  const top = Math.max(...logits);
  const exps = logits.map((z) => Math.exp(z - top));
  const total = exps.reduce((sum, e) => sum + e, 0);
  return exps.map((e) => e / total);
}
