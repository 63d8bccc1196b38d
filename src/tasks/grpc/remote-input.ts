import path from 'node:path';
import { loadTemplateSource, TemplateSourceError } from '../../metrics/templates/template-source.js';
import { defaultCacheDir } from '../../util/cache-dir.js';

export interface RemoteContext {
  experimentDir: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Each URL is fetched once per process run, as templates are. */
const fetchedThisRun = new Map<string, Promise<Awaited<ReturnType<typeof loadTemplateSource>>>>();

/**
 * The text of a URL input (protoURL, dataURL, metadataURL), fetched when the task runs and cached as
 * templates are: same cache directory, https (or loopback http) only, CANARY_OFFLINE reads the cache.
 */
export async function fetchRemoteInput(url: string, context: RemoteContext): Promise<string> {
  try {
    const source = await loadTemplateSource(
      { url },
      {
        experimentDir: context.experimentDir,
        cacheDir: path.resolve(context.experimentDir, defaultCacheDir(context.env)),
        memory: fetchedThisRun,
        offline: context.env.CANARY_OFFLINE === '1' || context.env.CANARY_OFFLINE === 'true',
        env: context.env,
      },
    );
    return source.text;
  } catch (error) {
    if (error instanceof TemplateSourceError) {
      throw new RemoteInputError(error.message.replace(/\btemplate\b/g, 'input'), error.hint);
    }
    throw error;
  }
}

export class RemoteInputError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'RemoteInputError';
  }
}
