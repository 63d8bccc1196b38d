/** Median of a list of numbers (mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `variants` (name -> async () => number) alternately, `rounds` times; samples by name. */
export async function interleave(variants, rounds) {
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const names = Object.keys(variants);
    // Alternate the order so that neither variant always runs right after the other.
    if (round % 2 === 1) names.reverse();
    for (const name of names) samples[name].push(await variants[name]());
  }
  return samples;
}
