import { appendFile } from 'node:fs/promises';
import type { Report } from './report-schema.js';
import { renderMarkdown } from './render-markdown.js';

/** GitHub refuses a step summary above 1 MiB and then shows none of it; stay well below. */
export const maxSummaryBytes = 1000 * 1024;

/**
 * Appends the markdown report to the job summary file GitHub Actions names in
 * `GITHUB_STEP_SUMMARY`. Returns the file written, or undefined outside Actions (nothing to do).
 * Appends rather than overwrites: other steps of the job write to the same file.
 */
export async function appendGitHubSummary(
  report: Report,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  const file = env.GITHUB_STEP_SUMMARY?.trim();
  if (!file) return undefined;
  await appendFile(file, `${limitSummary(renderMarkdown(report))}\n`, 'utf8');
  return file;
}

/** Cuts at a line boundary and says so, rather than losing the whole summary. */
export function limitSummary(markdown: string, maxBytes = maxSummaryBytes): string {
  if (Buffer.byteLength(markdown, 'utf8') <= maxBytes) return markdown;
  const note = '\n\n_Summary truncated: run `canary report` for the full report._\n';
  const budget = maxBytes - Buffer.byteLength(note, 'utf8');
  let kept = '';
  let size = 0;
  for (const line of markdown.split('\n')) {
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    if (size + bytes > budget) break;
    kept += `${line}\n`;
    size += bytes;
  }
  // A cut table or <details> would swallow the note; closing details keeps it visible.
  const open = (kept.match(/<details>/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
  return `${kept.trimEnd()}${open > 0 ? '\n\n</details>' : ''}${note}`;
}
