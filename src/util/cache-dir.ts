import os from 'node:os';
import path from 'node:path';

/** Where canary keeps what it can rebuild: $CANARY_CACHE_DIR, else $XDG_CACHE_HOME/canary or ~/.cache/canary. */
export function defaultCacheDir(env: Record<string, string | undefined>): string {
  return env.CANARY_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'canary');
}
