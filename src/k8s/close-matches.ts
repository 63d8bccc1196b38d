/** "Did you mean" candidates for a misspelt name. */

/** Optimal string alignment distance: edits, counting a swap of neighbours as one. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Candidates within a few edits of `word` (about a third of its length), or
 * that start with it; closest first, at most `limit`. Case-insensitive.
 */
export function closeMatches(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const target = word.toLowerCase();
  const allowed = Math.max(1, Math.floor(target.length / 3));
  const scored = new Map<string, number>();
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    if (lower === target) continue;
    const distance = editDistance(target, lower);
    const prefix = target.length >= 3 && lower.startsWith(target);
    if (distance <= allowed || prefix) {
      const score = prefix ? Math.min(distance, allowed) : distance;
      if (!scored.has(candidate) || scored.get(candidate)! > score) scored.set(candidate, score);
    }
  }
  return [...scored]
    .sort(([a, x], [b, y]) => x - y || a.localeCompare(b))
    .slice(0, limit)
    .map(([candidate]) => candidate);
}
