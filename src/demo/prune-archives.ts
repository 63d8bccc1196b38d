import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** How many earlier demo result files stay next to the current one. */
export const keptDemoArchives = 3;

/**
 * Each demo run starts a fresh result file and keeps the previous one under a dated name
 * (`demo.2026-12-07T10-00-00-000Z.jsonl`, see freeArchiveName); without pruning every run leaves
 * one more behind. Removes all but the newest `keep` of them; returns the removed paths.
 */
export async function pruneArchives(results: string, keep = keptDemoArchives): Promise<string[]> {
  const folder = path.dirname(results);
  const stem = path.basename(results).replace(/\.jsonl$/, '');
  const escaped = stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const archive = new RegExp(
    `^${escaped}\\.\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z(-\\d+)?\\.jsonl$`,
  );
  const archives = (await readdir(folder)).filter((name) => archive.test(name));
  // ISO times sort as text; `-2` (a second archive in the same millisecond) after the first.
  const byAge = archives.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const removed = byAge.slice(0, Math.max(0, byAge.length - keep)).map((name) => path.join(folder, name));
  for (const file of removed) await rm(file, { force: true });
  return removed;
}
