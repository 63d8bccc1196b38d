import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fetchCached, type CachedFetchOptions } from '../../metrics/templates/template-source.js';
import type { PayloadInput } from './http-input.js';

export interface Payload {
  body: Buffer;
  contentType: string;
  /** Where it came from, for previews and messages. */
  source: 'inline' | 'json' | 'file' | 'url';
  file?: string;
}

/** `{file}` is a reference only when it is the object's one key (the schema's rule). */
export function payloadFileOf(payload: PayloadInput | undefined): string | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const keys = Object.keys(payload);
  return keys.length === 1 && keys[0] === 'file' && typeof payload.file === 'string'
    ? payload.file
    : undefined;
}

export function resolvePayloadPath(file: string, experimentDir: string): string {
  return path.resolve(experimentDir, file);
}

/** Reads the body once, before the load starts: the hot path only ever sends the same bytes. */
export async function loadPayload(
  payload: PayloadInput,
  contentType: string | undefined,
  experimentDir: string,
): Promise<Payload> {
  const file = payloadFileOf(payload);
  if (file !== undefined) {
    const resolved = resolvePayloadPath(file, experimentDir);
    return {
      body: await readFile(resolved),
      contentType: contentType ?? contentTypeOfFile(resolved),
      source: 'file',
      file: resolved,
    };
  }
  if (typeof payload === 'string') {
    return {
      body: Buffer.from(payload, 'utf8'),
      contentType: contentType ?? 'text/plain; charset=utf-8',
      source: 'inline',
    };
  }
  return {
    body: Buffer.from(JSON.stringify(payload), 'utf8'),
    contentType: contentType ?? 'application/json',
    source: 'json',
  };
}

/** Iter8's payloadURL, fetched when the loop runs through the same cache as URL templates. */
export async function loadUrlPayload(
  url: string,
  contentType: string | undefined,
  cache: Omit<CachedFetchOptions, 'kind'>,
): Promise<Payload> {
  return {
    body: await fetchCached(url, { ...cache, kind: 'payload' }),
    contentType: contentType ?? contentTypeOfFile(new URL(url).pathname),
    source: 'url',
  };
}

function contentTypeOfFile(file: string): string {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') return 'application/json';
  if (extension === '.txt') return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}
