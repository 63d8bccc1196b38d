import { argmax } from './argmax.js';

export type TreeNode =
  | { kind: 'leaf'; classIndex: number; counts: number[] }
  | { kind: 'split'; feature: number; threshold: number; left: TreeNode; right: TreeNode };

export interface DecisionTreeOptions {
  maxDepth: number;
  /** Nodes with fewer samples become leaves. */
  minSamplesSplit: number;
}

export interface DecisionTreeModel {
  readonly root: TreeNode;
  predict(row: readonly number[]): number;
}

/**
 * CART classification tree with Gini impurity: binary splits `x[feature] <= threshold`, thresholds
 * at midpoints between adjacent distinct values (as sklearn does). Features and thresholds are
 * scanned in a fixed order and only a strictly better split replaces the current best, so ties
 * resolve the same way every time (sklearn breaks them with a random feature permutation).
 */
export function fitDecisionTree(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  classCount: number,
  options: DecisionTreeOptions,
): DecisionTreeModel {
  const all = rows.map((_, i) => i);
  const root = growNode(all, 0, { rows, labels, classCount, options });
  return { root, predict: (row) => classify(root, row) };
}

interface FitContext {
  rows: readonly (readonly number[])[];
  labels: readonly number[];
  classCount: number;
  options: DecisionTreeOptions;
}

function growNode(indexes: readonly number[], depth: number, context: FitContext): TreeNode {
  const counts = classCounts(indexes, context);
  const leaf: TreeNode = { kind: 'leaf', classIndex: argmax(counts), counts };
  const impurity = gini(counts, indexes.length);
  if (
    depth >= context.options.maxDepth ||
    indexes.length < context.options.minSamplesSplit ||
    impurity === 0
  ) {
    return leaf;
  }
  const split = findBestSplit(indexes, context);
  // No split lowers the impurity: splitting would only add nodes.
  if (!split || split.impurity >= impurity - 1e-12) return leaf;
  const left = indexes.filter((i) => (context.rows[i]![split.feature] ?? 0) <= split.threshold);
  const right = indexes.filter((i) => (context.rows[i]![split.feature] ?? 0) > split.threshold);
  return {
    kind: 'split',
    feature: split.feature,
    threshold: split.threshold,
    left: growNode(left, depth + 1, context),
    right: growNode(right, depth + 1, context),
  };
}

interface Split {
  feature: number;
  threshold: number;
  /** Sample-weighted Gini impurity of the two children. */
  impurity: number;
}

function findBestSplit(indexes: readonly number[], context: FitContext): Split | undefined {
  const width = context.rows[0]?.length ?? 0;
  const n = indexes.length;
  let best: Split | undefined;
  for (let feature = 0; feature < width; feature++) {
    const value = (i: number) => context.rows[i]![feature] ?? 0;
    const sorted = [...indexes].sort((a, b) => value(a) - value(b));
    // Sweep left to right, moving one sample at a time from the right child to the left one.
    const leftCounts = new Array<number>(context.classCount).fill(0);
    const rightCounts = classCounts(sorted, context);
    for (let position = 0; position < n - 1; position++) {
      const moved = context.labels[sorted[position]!]!;
      leftCounts[moved]!++;
      rightCounts[moved]!--;
      const here = value(sorted[position]!);
      const next = value(sorted[position + 1]!);
      if (here === next) continue; // no threshold separates equal values
      const leftSize = position + 1;
      const impurity =
        (leftSize * gini(leftCounts, leftSize) + (n - leftSize) * gini(rightCounts, n - leftSize)) / n;
      if (!best || impurity < best.impurity - 1e-12) {
        best = { feature, threshold: (here + next) / 2, impurity };
      }
    }
  }
  return best;
}

function classCounts(indexes: readonly number[], context: FitContext): number[] {
  const counts = new Array<number>(context.classCount).fill(0);
  for (const i of indexes) counts[context.labels[i]!]!++;
  return counts;
}

function gini(counts: readonly number[], total: number): number {
  if (total === 0) return 0;
  return 1 - counts.reduce((sum, count) => sum + (count / total) ** 2, 0);
}

function classify(node: TreeNode, row: readonly number[]): number {
  let current = node;
  while (current.kind === 'split') {
    current = (row[current.feature] ?? 0) <= current.threshold ? current.left : current.right;
  }
  return current.classIndex;
}
