/** "Did you mean" candidates for a misspelt name. */
import { editDistance } from '../util/edit-distance.js';

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
