import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../../version.js';
import type { HttpEnv } from '../../util/http-dispatcher.js';

/** Where a provider template comes from, as written in `custommetrics.templates.<name>`. */
export type TemplateReference =
  string | { url: string; sha256?: string } | { file: string } | { builtin: string };

export type TemplateSyntax = 'go' | 'nunjucks';

export interface TemplateSource {
  /** How the user named it, for messages: `builtin:kserve-prometheus`, a path or a URL. */
  origin: string;
  text: string;
  syntax: TemplateSyntax;
}

export class TemplateSourceError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    /** The network could not be reached (or is off): nothing is known about the template itself. */
    readonly unreachable = false,
  ) {
    super(message);
    this.name = 'TemplateSourceError';
  }
}

export const builtinTemplateDir = path.join(packageRoot, 'plugins', 'templates');

export interface TemplateFetchContext {
  experimentDir: string;
  /** Content cache directory (default $CANARY_CACHE_DIR or ~/.cache/canary); URL templates land here. */
  cacheDir: string;
  /** Per-run memory: each URL is fetched once per run. */
  memory: Map<string, Promise<TemplateSource>>;
  fetchTimeoutMs?: number;
  /** Never touch the network: URL templates come from the cache (CANARY_OFFLINE=1). */
  offline?: boolean;
  /** The caller's environment: its proxy variables route the fetch (never process.env). */
  env?: HttpEnv;
}

/** Load a template by reference: builtin, file (relative to the experiment), or URL (cached, optionally pinned). */
export function loadTemplateSource(
  reference: TemplateReference,
  context: TemplateFetchContext,
): Promise<TemplateSource> {
  const normalized = typeof reference === 'string' ? parseReferenceString(reference) : reference;
  // Only URLs are remembered: files are cheap to read, and their names mean nothing without a directory.
  if (!('url' in normalized)) return loadUncached(normalized, context);
  const key = `${context.cacheDir}|${normalized.url}#${normalized.sha256 ?? ''}`;
  let pending = context.memory.get(key);
  if (!pending) {
    pending = loadUncached(normalized, context);
    // A failed fetch is not remembered: the next loop may succeed.
    pending.catch(() => context.memory.delete(key));
    context.memory.set(key, pending);
  }
  return pending;
}

async function loadUncached(
  normalized: Exclude<TemplateReference, string>,
  context: TemplateFetchContext,
): Promise<TemplateSource> {
  if ('builtin' in normalized) {
    if (!/^[a-z0-9-]+$/.test(normalized.builtin))
      throw new TemplateSourceError(`invalid builtin template name ${JSON.stringify(normalized.builtin)}`);
    const file = path.join(builtinTemplateDir, `${normalized.builtin}.njk`);
    const text = await readFile(file, 'utf8').catch(() => {
      throw new TemplateSourceError(
        `no builtin template ${JSON.stringify(normalized.builtin)}`,
        `builtin templates: ${builtinTemplateNames().join(', ')}`,
      );
    });
    return { origin: `builtin:${normalized.builtin}`, text, syntax: 'nunjucks' };
  }
  if ('file' in normalized) {
    const file = path.resolve(context.experimentDir, normalized.file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new TemplateSourceError(
        `cannot read template file ${normalized.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        'template paths are relative to the experiment file',
      );
    }
    return { origin: normalized.file, text, syntax: detectSyntax(normalized.file, text) };
  }
  const text = await fetchTemplate(normalized.url, normalized.sha256, context);
  return { origin: normalized.url, text, syntax: detectSyntax(new URL(normalized.url).pathname, text) };
}

/** `builtin:NAME`, a URL, or a file path, as the object form. */
export function parseReferenceString(reference: string): Exclude<TemplateReference, string> {
  if (reference.startsWith('builtin:')) return { builtin: reference.slice('builtin:'.length) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(reference)) return { url: reference };
  return { file: reference };
}

/** The builtin templates shipped with canary, for hints. */
export function builtinTemplateNames(): string[] {
  return readdirSync(builtinTemplateDir)
    .filter((name) => name.endsWith('.njk'))
    .map((name) => name.slice(0, -'.njk'.length))
    .sort();
}

/**
 * Go text/template for Iter8's `.tpl` files, nunjucks for `.njk`; a first-line marker
 * `# canary-template: go|nunjucks` decides otherwise; Go is the default (Iter8 compatibility).
 */
export function detectSyntax(name: string, text: string): TemplateSyntax {
  const marker = /^\s*(?:#|\{#)\s*canary-template:\s*(go|nunjucks)\b/.exec(text.split('\n', 1)[0] ?? '');
  if (marker) return marker[1] as TemplateSyntax;
  return /\.(njk|nunjucks)$/i.test(name) ? 'nunjucks' : 'go';
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function fetchTemplate(
  url: string,
  sha256: string | undefined,
  context: TemplateFetchContext,
): Promise<string> {
  return fetchCached(url, { ...context, kind: 'template', ...(sha256 ? { sha256 } : {}) }).then((bytes) =>
    bytes.toString('utf8'),
  );
}

export interface CachedFetchOptions extends Pick<
  TemplateFetchContext,
  'cacheDir' | 'fetchTimeoutMs' | 'offline' | 'env'
> {
  /** `template` (https only, but for loopback) or `payload` (http too: data, not code). */
  kind: 'template' | 'payload';
  sha256?: string;
}

/**
 * Fetches a URL through the content cache: a fresh copy when the network answers, the cached copy when
 * it does not (or when offline), and never a copy that fails its sha256 pin.
 */
export async function fetchCached(url: string, options: CachedFetchOptions): Promise<Buffer> {
  const { kind, sha256 } = options;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TemplateSourceError(`invalid ${kind} URL ${JSON.stringify(url)}`);
  }
  const plainHttpAllowed = kind === 'payload' || loopbackHosts.has(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && plainHttpAllowed)) {
    throw new TemplateSourceError(
      `${kind} URLs must use https (got ${parsed.protocol})`,
      'plain http is only allowed for loopback addresses',
    );
  }
  const cacheFile = cachedPath(options.cacheDir, kind, url);
  const pin = sha256?.toLowerCase().replace(/^sha256:/, '');
  const cached = await readFile(cacheFile).catch(() => undefined);
  // A pinned copy is content-addressed: a cached copy with the right hash needs no network.
  if (pin && cached !== undefined && digest(cached) === pin) return cached;
  if (options.offline) {
    if (cached !== undefined && !pin) return cached;
    throw new TemplateSourceError(
      `${kind} ${url} is not in the cache and canary is offline`,
      `put it at ${cacheFile}, or unset CANARY_OFFLINE`,
      true,
    );
  }
  let bytes: Buffer;
  // An answer (even 404) says something about the URL; no answer says nothing about the template.
  let answered = false;
  try {
    // undici's fetch on the shared dispatcher: the same TLS and proxy behaviour as backend queries.
    // Loaded here, so `canary validate` with local templates never loads the HTTP client.
    const [{ fetch }, { getHttpDispatcher }] = await Promise.all([
      import('undici'),
      import('../../util/http-dispatcher.js'),
    ]);
    const response = await fetch(url, {
      signal: AbortSignal.timeout(options.fetchTimeoutMs ?? 15_000),
      redirect: 'follow',
      dispatcher: getHttpDispatcher({}, options.env),
    });
    answered = true;
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    bytes = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    if (cached !== undefined && !pin) return cached;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TemplateSourceError(
      `cannot fetch ${kind} ${url}: ${reason}`,
      cached === undefined ? 'check the URL and the network, or use a local file' : undefined,
      !answered,
    );
  }
  if (pin && digest(bytes) !== pin) {
    throw new TemplateSourceError(
      `${kind} ${url} does not match its sha256 pin (got ${digest(bytes)})`,
      'the template changed upstream: review it, then update sha256',
    );
  }
  await mkdir(path.dirname(cacheFile), { recursive: true });
  await writeFile(cacheFile, bytes).catch(() => undefined);
  return bytes;
}

function cachedPath(cacheDir: string, kind: CachedFetchOptions['kind'], url: string): string {
  return kind === 'template'
    ? path.join(cacheDir, 'templates', `${digest(url)}.tpl`)
    : path.join(cacheDir, 'payloads', digest(url));
}

export function digest(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Path of a URL's cache entry, so tests and air-gapped users can seed the cache. */
export function cachedTemplatePath(cacheDir: string, url: string): string {
  return cachedPath(cacheDir, 'template', url);
}
