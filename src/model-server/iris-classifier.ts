import { fitDecisionTree } from './decision-tree.js';
import { irisFeatures, irisLabels, speciesNames } from './iris-data.js';
import { fitLogisticRegression } from './logistic-regression.js';

export const modelKinds = ['logistic-regression', 'decision-tree'] as const;
export type ModelKind = (typeof modelKinds)[number];

/** A fitted model: class index (0 setosa, 1 versicolor, 2 virginica) per feature row. */
export interface IrisClassifier {
  readonly kind: ModelKind;
  /** One line for logs, e.g. the hyperparameters. */
  readonly description: string;
  predict(row: readonly number[]): number;
}

/** Fixed hyperparameters: part of the model's identity, so every start fits the same model. */
export const logisticRegressionSettings = {
  iterations: 1000,
  learningRate: 0.5,
  // sklearn's LogisticRegression default (C = 1) penalizes ||w||^2 / 2 against the summed loss;
  // per sample that is l2 = 1 / (C n).
  l2: 1 / irisFeatures.length,
};
export const decisionTreeSettings = { maxDepth: 3, minSamplesSplit: 2 };

const fitted = new Map<ModelKind, IrisClassifier>();

/** Fits the model on the full iris data set, once per process (fitting is deterministic). */
export function fitIrisClassifier(kind: ModelKind): IrisClassifier {
  const cached = fitted.get(kind);
  if (cached) return cached;
  const classifier = fitModel(kind);
  fitted.set(kind, classifier);
  return classifier;
}

function fitModel(kind: ModelKind): IrisClassifier {
  const classCount = speciesNames.length;
  if (kind === 'logistic-regression') {
    const model = fitLogisticRegression(irisFeatures, irisLabels, classCount, logisticRegressionSettings);
    const { iterations, learningRate } = logisticRegressionSettings;
    return {
      kind,
      description: `multinomial logistic regression (gradient descent, ${iterations} steps, rate ${learningRate}, standardized features)`,
      predict: (row) => model.predict(row),
    };
  }
  const model = fitDecisionTree(irisFeatures, irisLabels, classCount, decisionTreeSettings);
  return {
    kind,
    description: `decision tree (CART, Gini, max depth ${decisionTreeSettings.maxDepth})`,
    predict: (row) => model.predict(row),
  };
}

/** Fraction of the iris rows the classifier labels correctly. */
export function measureTrainingAccuracy(classifier: IrisClassifier): number {
  const correct = irisFeatures.filter((row, i) => classifier.predict(row) === irisLabels[i]).length;
  return correct / irisFeatures.length;
}
