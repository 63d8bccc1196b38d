import { open } from 'node:fs/promises';

/** Experiments and values files are a few kilobytes; anything near this is a wrong file. */
export const MAX_INPUT_BYTES = 1024 * 1024;

export type TextFile =
  | { ok: true; text: string }
  | {
      ok: false;
      message: string;
      hint?: string;
      /** 1-based place of the problem in the text, when it has one. */
      position?: { line: number; column: number };
    };

/**
 * Reads a UTF-8 text file of at most MAX_INPUT_BYTES. Reads in bounded chunks rather than asking
 * the size first, so a pipe (`<(helm template ...)`) works and `/dev/zero` stops at the limit.
 * Binary, UTF-16 and invalid UTF-8 files are refused with a reason instead of being parsed as
 * noise.
 */
export async function readTextFile(file: string): Promise<TextFile> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    return { ok: false, ...describeOpenError(error) };
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > MAX_INPUT_BYTES) {
        return {
          ok: false,
          message: `larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB; this is not an experiment or values file`,
          hint: 'check the path; large request payloads belong in a file the http task reads (payload: {file: ...})',
        };
      }
    }
  } catch (error) {
    return { ok: false, ...describeOpenError(error) };
  } finally {
    await handle.close();
  }
  return decode(Buffer.concat(chunks, total));
}

function decode(bytes: Buffer): TextFile {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      ok: false,
      message: 'the file is UTF-16 text; canary reads UTF-8',
      position: { line: 1, column: 1 },
      hint: 'save the file as UTF-8 (most editors have an encoding setting)',
    };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    return {
      ok: false,
      message: 'the file contains NUL bytes: it is binary, not YAML text',
      hint: 'check the path; an experiment is a YAML text file',
      position: positionOf(bytes.subarray(0, nul).toString('utf8')),
    };
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const lossy = bytes.toString('utf8');
    return {
      ok: false,
      message: 'the file is not valid UTF-8 text',
      hint: 'save the file as UTF-8; a byte here is not part of any UTF-8 character',
      position: positionOf(lossy.slice(0, Math.max(0, lossy.indexOf('\ufffd')))),
    };
  }
}

/** Where the text after `before` starts. */
function positionOf(before: string): { line: number; column: number } {
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

function describeOpenError(error: unknown): { message: string; hint?: string } {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return { message: 'file not found', hint: 'check the path; it is relative to the current directory' };
    case 'EISDIR':
      return { message: 'is a directory, not a file' };
    case 'EACCES':
    case 'EPERM':
      return { message: 'permission denied', hint: 'check the file permissions' };
    default:
      return { message: `cannot read: ${code ?? String(error)}` };
  }
}
