import { describe, expect, test } from 'vitest';
import { fitDecisionTree } from '../../src/model-server/decision-tree.js';
import {
  decisionTreeSettings,
  fitIrisClassifier,
  logisticRegressionSettings,
  measureTrainingAccuracy,
  modelKinds,
} from '../../src/model-server/iris-classifier.js';
import { irisFeatures, irisLabels, speciesNames } from '../../src/model-server/iris-data.js';
import { fitLogisticRegression } from '../../src/model-server/logistic-regression.js';

/** The two instances of KServe's sklearn-iris example request. */
const seedInstances = [
  [6.8, 2.8, 4.8, 1.4],
  [6.0, 3.4, 4.5, 1.6],
];

function columnSums(rows: readonly (readonly number[])[]): number[] {
  return [0, 1, 2, 3].map((j) => Math.round(rows.reduce((sum, row) => sum + row[j]!, 0) * 10) / 10);
}

describe('iris data', () => {
  test('150 rows of 4 measurements, 50 per species', () => {
    expect(irisFeatures).toHaveLength(150);
    expect(irisLabels).toHaveLength(150);
    expect(irisFeatures.every((row) => row.length === 4)).toBe(true);
    expect([0, 1, 2].map((c) => irisLabels.filter((label) => label === c).length)).toEqual([50, 50, 50]);
    expect(speciesNames).toEqual(['setosa', 'versicolor', 'virginica']);
  });

  test('column means match the published ones', () => {
    const means = columnSums(irisFeatures).map((sum) => sum / 150);
    [5.843, 3.057, 3.758, 1.199].forEach((expected, j) => expect(means[j]).toBeCloseTo(expected, 3));
  });

  test('per-species sums match the published class means (sklearn-corrected rows)', () => {
    const of = (c: number) => irisFeatures.filter((_, i) => irisLabels[i] === c);
    // Class means x 50: setosa 5.006 3.428 1.462 0.246, versicolor 5.936 2.770 4.260 1.326,
    // virginica 6.588 2.974 5.552 2.026.
    expect(columnSums(of(0))).toEqual([250.3, 171.4, 73.1, 12.3]);
    expect(columnSums(of(1))).toEqual([296.8, 138.5, 213.0, 66.3]);
    expect(columnSums(of(2))).toEqual([329.4, 148.7, 277.6, 101.3]);
  });

  test('the seed instances are versicolor rows of the data set', () => {
    for (const instance of seedInstances) {
      const index = irisFeatures.findIndex((row) => row.every((value, j) => value === instance[j]));
      expect(index).toBeGreaterThanOrEqual(0);
      expect(irisLabels[index]).toBe(1);
    }
  });
});

describe('models', () => {
  test.each(modelKinds)('%s reaches >= 95%% training accuracy', (kind) => {
    expect(measureTrainingAccuracy(fitIrisClassifier(kind))).toBeGreaterThanOrEqual(0.95);
  });

  test.each(modelKinds)('%s predicts versicolor (1) for both seed instances', (kind) => {
    const classifier = fitIrisClassifier(kind);
    expect(seedInstances.map((row) => classifier.predict(row))).toEqual([1, 1]);
  });

  test('logistic regression fits the same model every time', () => {
    const first = fitLogisticRegression(irisFeatures, irisLabels, 3, logisticRegressionSettings);
    const second = fitLogisticRegression(irisFeatures, irisLabels, 3, logisticRegressionSettings);
    expect(second.weights).toEqual(first.weights);
    expect(second.intercepts).toEqual(first.intercepts);
    const probabilities = first.predictProbabilities(seedInstances[0]!);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  test('the decision tree is the classic depth-3 iris tree', () => {
    const { root } = fitDecisionTree(irisFeatures, irisLabels, 3, decisionTreeSettings);
    // petal length <= 2.45 isolates setosa; then petal width <= 1.75; then petal length.
    expect(root).toMatchObject({ kind: 'split', feature: 2, threshold: 2.45 });
    if (root.kind !== 'split') throw new Error('unreachable');
    expect(root.left).toEqual({ kind: 'leaf', classIndex: 0, counts: [50, 0, 0] });
    expect(root.right).toMatchObject({
      feature: 3,
      threshold: 1.75,
      left: { feature: 2, threshold: 4.95 },
      right: { feature: 2, threshold: 4.85 },
    });
  });

  test('a decision tree of depth 0 is a single majority leaf', () => {
    const { root, predict } = fitDecisionTree(irisFeatures, irisLabels, 3, {
      maxDepth: 0,
      minSamplesSplit: 2,
    });
    expect(root).toEqual({ kind: 'leaf', classIndex: 0, counts: [50, 50, 50] }); // ties go to the lowest class
    expect(predict([7, 3, 6, 2])).toBe(0);
  });
});
