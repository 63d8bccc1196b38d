import { readlink, realpath } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where a result file really is, so that every name for it (a symlink, a `..` path) meets the same
 * lock and is written in the same place: symlinks followed and `..` resolved by the kernel, never
 * lexically (`link/..` is the parent of the link's target). A file not there yet is its folder's
 * real path plus its name; a dangling link is followed to where its target would be.
 */
export type ResolvedResultPath =
  | { real: string; link?: string }
  /** A folder on the way does not exist; `link` is the symlink's target when the name is a dangling link. */
  | { missingFolder: string; link?: string };

/** Symlinks followed at most this often, like the kernel's ELOOP limit. */
const maxLinks = 40;

export async function resolveResultPath(file: string): Promise<ResolvedResultPath> {
  // Not path.resolve: it would fold `..` before the kernel follows a symlink in front of it.
  let current = path.isAbsolute(file) ? file : `${process.cwd()}${path.sep}${file}`;
  let link: string | undefined;
  for (let hops = 0; hops <= maxLinks; hops++) {
    const real = await realpath(current).catch(notThere);
    if (real !== undefined) return { real }; // exists (a link to it is resolved by realpath)
    const folder = await realpath(path.dirname(current)).catch(notThere);
    if (folder === undefined) {
      return { missingFolder: path.dirname(current), ...(link !== undefined ? { link } : {}) };
    }
    const here = path.join(folder, path.basename(current));
    const target = await readlink(here).catch(notThere);
    if (target === undefined) return { real: here, ...(link !== undefined ? { link } : {}) };
    link = target;
    current = path.isAbsolute(target) ? target : `${folder}${path.sep}${target}`;
  }
  const error = new Error(`too many levels of symbolic links: ${file}`) as NodeJS.ErrnoException;
  error.code = 'ELOOP';
  throw error;
}

/** undefined for "not there" (missing, or not a link for readlink); any other error is real. */
function notThere(error: unknown): undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EINVAL') return undefined;
  throw error;
}

/** Why there is no file at a path, as a clause for a message, when a folder or a link explains it. */
export function whyMissing(resolved: ResolvedResultPath): string {
  if (!('missingFolder' in resolved)) {
    return resolved.link !== undefined ? ` (a symbolic link to ${resolved.link}, which does not exist)` : '';
  }
  return resolved.link !== undefined
    ? ` (a symbolic link to ${resolved.link}, whose folder ${resolved.missingFolder} does not exist)`
    : ` (its folder ${resolved.missingFolder} does not exist)`;
}

/** Where a local run keeps its results unless `--results` says otherwise. */
export function defaultResultsPath(cwd: string, experimentName: string): string {
  return path.join(cwd, 'canary-results', `${experimentName}.jsonl`);
}
