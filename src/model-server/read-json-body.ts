import type { IncomingMessage } from 'node:http';
import { RequestError } from './request-error.js';

/**
 * Reads and parses a JSON request body of at most `limitBytes`. An oversized body is still drained
 * (not buffered) so the client, which may still be sending, reads a clean 413 instead of a reset.
 */
export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
    }
  } catch (error) {
    // The client went away mid-body; nobody reads the answer, but the metrics still count it.
    throw new RequestError(400, `request body could not be read (${(error as Error).message})`);
  }
  if (size > limitBytes) {
    throw new RequestError(413, `request body is ${size} bytes, more than the limit of ${limitBytes}`);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new RequestError(400, 'request body is empty; expected JSON');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RequestError(400, `request body is not valid JSON (${(error as Error).message})`);
  }
}
