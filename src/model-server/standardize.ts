/** Per-feature standardization (z-scores), fitted on training rows like sklearn's StandardScaler. */
export interface Standardizer {
  readonly means: readonly number[];
  readonly scales: readonly number[];
  transform(row: readonly number[]): number[];
}

export function fitStandardizer(rows: readonly (readonly number[])[]): Standardizer {
  const width = rows[0]?.length ?? 0;
  const means = Array.from({ length: width }, (_, j) => mean(rows.map((row) => row[j] ?? 0)));
  const scales = means.map((m, j) => {
    // Population standard deviation (ddof 0), as StandardScaler uses.
    const variance = mean(rows.map((row) => ((row[j] ?? 0) - m) ** 2));
    // A constant feature would divide by zero; leave it centred but unscaled.
    return variance > 0 ? Math.sqrt(variance) : 1;
  });
  return {
    means,
    scales,
    transform: (row) => row.map((value, j) => (value - (means[j] ?? 0)) / (scales[j] ?? 1)),
  };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}
