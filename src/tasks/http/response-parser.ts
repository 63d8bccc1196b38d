/**
 * An incremental HTTP/1.1 response parser for the load loop: it reads the status, the framing headers
 * (Content-Length, Transfer-Encoding, Connection, Keep-Alive) and skips the body, from bytes that may be
 * split anywhere. It works on the received buffers in place and allocates nothing per response unless a
 * line is split across reads or a test asks for the headers and body.
 */

/** A response the parser cannot frame: the connection it came on cannot be trusted any more. */
export class MalformedResponseError extends Error {
  readonly code = 'malformed-response';
  constructor(what: string) {
    super(`malformed response: ${what}`);
    this.name = 'MalformedResponseError';
  }
}

/** Optional observers, for tests and diagnostics; the load loop passes none. */
export interface ResponseObserver {
  /** Each header of the final response and each trailer, name as sent. */
  onHeader?(name: string, value: string): void;
  /** Body bytes after chunked decoding; the buffer is only valid during the call. */
  onBody?(chunk: Buffer): void;
}

const statusLine = 0;
const headerLines = 1;
const lengthBody = 2;
const chunkSizeLine = 3;
const chunkData = 4;
const chunkEnd = 5;
const trailerLines = 6;
const bodyUntilClose = 7;
const complete = 8;

/** Header section (status line and headers, or trailers) larger than this is refused. */
export const maxHeaderBytes = 64 * 1024;
/** 13 hex digits stay below 2^53, so sizes remain exact numbers. */
const maxChunkSizeDigits = 13;
const maxLengthDigits = 15;
/** A chunk size with its extensions. */
const maxChunkLineBytes = 4096;

const lf = 0x0a;
const cr = 0x0d;
const space = 0x20;
const tab = 0x09;

/** RFC 9110 token characters, for header names. */
const tokenChars = new Uint8Array(128);
for (const char of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  tokenChars[char.charCodeAt(0)] = 1;
}

const hexValues = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  hexValues['0123456789abcdef'.charCodeAt(i)] = i;
  hexValues['0123456789ABCDEF'.charCodeAt(i)] = i;
}

const contentLength = bytesOf('content-length');
const transferEncoding = bytesOf('transfer-encoding');
const connection = bytesOf('connection');
const keepAlive = bytesOf('keep-alive');
const close = bytesOf('close');
const timeoutParameter = bytesOf('timeout=');

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

export class ResponseParser {
  /** Status of the final response (a 1xx before it is skipped). */
  status = 0;
  /** Whether the connection may carry another request after this response. */
  keepAlive = true;
  /** The server's `Keep-Alive: timeout=N`, in ms; undefined when not given. */
  keepAliveTimeoutMs: number | undefined;
  /** Bytes of the current response received so far (0: nothing came back yet). */
  receivedBytes = 0;

  private state = statusLine;
  private headRequest = false;
  private http10 = false;
  private remaining = 0;
  private length: number | undefined;
  private codings: string[] | undefined;
  private closeToken = false;
  private keepAliveToken = false;
  private headerBytes = 0;
  /** The start of a line split across reads. */
  private pending: Buffer | undefined;

  constructor(private readonly observer: ResponseObserver = {}) {}

  /** Prepares for the response to the next request; a HEAD response has no body whatever it says. */
  reset(headRequest: boolean): void {
    this.headRequest = headRequest;
    this.status = 0;
    this.keepAlive = true;
    this.keepAliveTimeoutMs = undefined;
    this.receivedBytes = 0;
    this.pending = undefined;
    this.startMessage();
  }

  get isComplete(): boolean {
    return this.state === complete;
  }

  /**
   * Parses `data` from `start` to `end`. Returns the offset just past the end of the response once it is complete
   * (bytes after it belong to no request), or -1 when it needs more. Throws MalformedResponseError.
   */
  execute(data: Buffer, start = 0, end = data.length): number {
    this.receivedBytes += end - start;
    let at = start;
    while (at < end) {
      switch (this.state) {
        case lengthBody: {
          const take = Math.min(this.remaining, end - at);
          this.body(data, at, at + take);
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = complete;
          break;
        }
        case chunkData: {
          const take = Math.min(this.remaining, end - at);
          this.body(data, at, at + take);
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = chunkEnd;
          break;
        }
        case bodyUntilClose:
          this.body(data, at, end);
          at = end;
          break;
        case complete:
          break;
        default:
          at = this.readLine(data, at, end);
      }
      if (this.state === complete) {
        this.receivedBytes -= end - at;
        return at;
      }
    }
    return -1;
  }

  /**
   * The connection ended. True when that completes the response (a body read until the close);
   * false when the response was cut short or had not started.
   */
  finish(): boolean {
    if (this.state === bodyUntilClose) this.state = complete;
    return this.state === complete;
  }

  private startMessage(): void {
    this.state = statusLine;
    this.http10 = false;
    this.length = undefined;
    this.codings = undefined;
    this.closeToken = false;
    this.keepAliveToken = false;
    this.headerBytes = 0;
  }

  private body(data: Buffer, from: number, to: number): void {
    if (this.observer.onBody && to > from) this.observer.onBody(data.subarray(from, to));
  }

  /** Reads up to one line; the line (without CR LF) is parsed once it is whole. */
  private readLine(data: Buffer, from: number, end: number): number {
    let lineEnd = from;
    while (lineEnd < end && data[lineEnd] !== lf) lineEnd++;
    const size = lineEnd - from + (this.pending?.length ?? 0);
    if (this.state === chunkEnd) {
      if (size > 1) throw new MalformedResponseError('chunk data longer than its size');
    } else if (this.state === chunkSizeLine) {
      if (size > maxChunkLineBytes) throw new MalformedResponseError('chunk size line too long');
    } else {
      this.headerBytes += lineEnd - from;
      if (this.headerBytes > maxHeaderBytes) throw new MalformedResponseError('header section too large');
    }
    if (lineEnd === end) {
      const rest = data.subarray(from, end);
      this.pending = this.pending ? Buffer.concat([this.pending, rest]) : Buffer.from(rest);
      return end;
    }
    let line = data;
    let lineStart = from;
    let lineStop = lineEnd;
    if (this.pending) {
      line = Buffer.concat([this.pending, data.subarray(from, lineEnd)]);
      this.pending = undefined;
      lineStart = 0;
      lineStop = line.length;
    }
    if (lineStop > lineStart && line[lineStop - 1] === cr) lineStop--;
    this.parseLine(line, lineStart, lineStop);
    return lineEnd + 1;
  }

  private parseLine(line: Buffer, start: number, end: number): void {
    switch (this.state) {
      case statusLine:
        this.parseStatusLine(line, start, end);
        this.state = headerLines;
        return;
      case headerLines:
        if (end === start) this.endHeaders();
        else this.parseHeader(line, start, end, false);
        return;
      case chunkSizeLine:
        this.parseChunkSize(line, start, end);
        return;
      case chunkEnd:
        if (end !== start) throw new MalformedResponseError('chunk data longer than its size');
        this.state = chunkSizeLine;
        return;
      case trailerLines:
        if (end === start) this.state = complete;
        else this.parseHeader(line, start, end, true);
        return;
    }
  }

  /** `HTTP/1.x NNN reason`; the reason may be empty or missing. */
  private parseStatusLine(line: Buffer, start: number, end: number): void {
    const valid =
      end - start >= 12 &&
      line[start] === 0x48 && // H
      line[start + 1] === 0x54 && // T
      line[start + 2] === 0x54 && // T
      line[start + 3] === 0x50 && // P
      line[start + 4] === 0x2f && // /
      line[start + 5] === 0x31 && // 1
      line[start + 6] === 0x2e && // .
      isDigit(line[start + 7]!) &&
      line[start + 8] === space &&
      isDigit(line[start + 9]!) &&
      isDigit(line[start + 10]!) &&
      isDigit(line[start + 11]!) &&
      line[start + 9] !== 0x30 &&
      (end - start === 12 || line[start + 12] === space);
    if (!valid) throw new MalformedResponseError(`bad status line ${quote(line, start, end)}`);
    for (let i = start + 13; i < end; i++) {
      const byte = line[i]!;
      if ((byte < space && byte !== tab) || byte === 0x7f) {
        throw new MalformedResponseError(`bad status line ${quote(line, start, end)}`);
      }
    }
    this.http10 = line[start + 7] === 0x30;
    this.status =
      (line[start + 9]! - 0x30) * 100 + (line[start + 10]! - 0x30) * 10 + line[start + 11]! - 0x30;
  }

  private parseHeader(line: Buffer, start: number, end: number, trailer: boolean): void {
    let colon = start;
    while (colon < end && line[colon] !== 0x3a) {
      const byte = line[colon]!;
      if (byte >= 128 || tokenChars[byte] !== 1) {
        const what =
          colon === start && (byte === space || byte === tab) ? 'folded header line' : 'bad header name';
        throw new MalformedResponseError(`${what} ${quote(line, start, end)}`);
      }
      colon++;
    }
    if (colon === end || colon === start) {
      throw new MalformedResponseError(`bad header line ${quote(line, start, end)}`);
    }
    let valueStart = colon + 1;
    let valueEnd = end;
    while (valueStart < valueEnd && isBlank(line[valueStart]!)) valueStart++;
    while (valueEnd > valueStart && isBlank(line[valueEnd - 1]!)) valueEnd--;
    for (let i = valueStart; i < valueEnd; i++) {
      const byte = line[i]!;
      if (byte === 0 || byte === cr || byte === lf) {
        throw new MalformedResponseError(`bad header value ${quote(line, start, end)}`);
      }
    }
    if (this.observer.onHeader && (trailer || this.status >= 200)) {
      this.observer.onHeader(
        line.toString('latin1', start, colon),
        line.toString('latin1', valueStart, valueEnd),
      );
    }
    // Trailers cannot change the framing of a message that is already ending.
    if (trailer) return;
    const nameLength = colon - start;
    if (nameLength === 14 && nameIs(line, start, contentLength)) {
      this.readContentLength(line, valueStart, valueEnd);
    } else if (nameLength === 17 && nameIs(line, start, transferEncoding)) {
      this.readTransferEncoding(line.toString('latin1', valueStart, valueEnd));
    } else if (nameLength === 10 && nameIs(line, start, connection)) {
      this.readConnection(line, valueStart, valueEnd);
    } else if (nameLength === 10 && nameIs(line, start, keepAlive)) {
      this.readKeepAlive(line, valueStart, valueEnd);
    }
  }

  /** Connection options; the usual single `keep-alive` or `close` is matched without making strings. */
  private readConnection(line: Buffer, start: number, end: number): void {
    const length = end - start;
    if (length === keepAlive.length && nameIs(line, start, keepAlive)) {
      this.keepAliveToken = true;
      return;
    }
    if (length === close.length && nameIs(line, start, close)) {
      this.closeToken = true;
      return;
    }
    for (const token of line.toString('latin1', start, end).toLowerCase().split(',')) {
      const trimmed = token.trim();
      if (trimmed === 'close') this.closeToken = true;
      else if (trimmed === 'keep-alive') this.keepAliveToken = true;
    }
  }

  /** `timeout=N` (seconds) among the parameters; the usual leading `timeout=N` is read from the bytes. */
  private readKeepAlive(line: Buffer, start: number, end: number): void {
    if (end - start > timeoutParameter.length && nameIs(line, start, timeoutParameter)) {
      let at = start + timeoutParameter.length;
      let seconds = 0;
      while (at < end && at - start < 20 && isDigit(line[at]!)) seconds = seconds * 10 + line[at++]! - 0x30;
      if (at > start + timeoutParameter.length && (at === end || line[at] === 0x2c)) {
        this.keepAliveTimeoutMs = seconds * 1000;
        return;
      }
    }
    const timeout = /(?:^|[,;\s])timeout\s*=\s*(\d+)\s*(?:[,;]|$)/i.exec(line.toString('latin1', start, end));
    if (timeout) this.keepAliveTimeoutMs = Number(timeout[1]) * 1000;
  }

  /** Digits, or a list of the same digits (`5, 5`); differing values could frame two ways. */
  private readContentLength(line: Buffer, start: number, end: number): void {
    let value: number | undefined;
    let digits = 0;
    let current = 0;
    const bad = () => new MalformedResponseError(`bad content-length ${quote(line, start, end)}`);
    for (let i = start; i <= end; i++) {
      const byte = i < end ? line[i]! : 0x2c;
      if (isDigit(byte)) {
        if (++digits > maxLengthDigits) throw bad();
        current = current * 10 + byte - 0x30;
      } else if (byte === 0x2c) {
        if (digits === 0 || (value !== undefined && value !== current)) throw bad();
        value = current;
        digits = 0;
        current = 0;
        while (i + 1 < end && isBlank(line[i + 1]!)) i++;
      } else {
        throw bad();
      }
    }
    if (this.length !== undefined && this.length !== value) throw bad();
    this.length = value;
  }

  /** Codings of every Transfer-Encoding header, in order. */
  private readTransferEncoding(value: string): void {
    for (const coding of value.toLowerCase().split(',')) {
      const trimmed = coding.trim();
      if (trimmed !== '') (this.codings ??= []).push(trimmed);
    }
  }

  /** Chunked when chunked is the last coding (and only there); any other last coding runs until the close. */
  private framingByCodings(): 'chunked' | 'close' | undefined {
    const codings = this.codings;
    if (codings === undefined) return undefined;
    const last = codings.length - 1;
    const chunked = codings.indexOf('chunked');
    if (chunked >= 0 && chunked < last) {
      throw new MalformedResponseError(`chunked is not the last transfer-coding: ${codings.join(', ')}`);
    }
    return codings[last] === 'chunked' ? 'chunked' : 'close';
  }

  private endHeaders(): void {
    const status = this.status;
    if (status < 200) {
      // 101 would switch protocols, which this client never asks for; other 1xx are interim.
      if (status === 101) throw new MalformedResponseError('unexpected 101 Switching Protocols');
      this.startMessage();
      return;
    }
    this.keepAlive = this.http10 ? this.keepAliveToken && !this.closeToken : !this.closeToken;
    if (this.headRequest || status === 204 || status === 304) {
      this.state = complete;
      return;
    }
    const byCodings = this.framingByCodings();
    if (byCodings !== undefined) {
      if (this.http10) throw new MalformedResponseError('transfer-encoding in an HTTP/1.0 response');
      // Both framings at once may be an attempt at response splitting: the coding wins, the connection goes.
      if (this.length !== undefined || byCodings === 'close') this.keepAlive = false;
      this.state = byCodings === 'chunked' ? chunkSizeLine : bodyUntilClose;
    } else if (this.length !== undefined) {
      this.remaining = this.length;
      this.state = this.length === 0 ? complete : lengthBody;
    } else {
      this.keepAlive = false;
      this.state = bodyUntilClose;
    }
  }

  /** `hex-size [BWS] [; extensions]`; extensions are ignored. */
  private parseChunkSize(line: Buffer, start: number, end: number): void {
    let at = start;
    let size = 0;
    while (at < end && hexValues[line[at]!]! >= 0) {
      if (at - start >= maxChunkSizeDigits) throw new MalformedResponseError('chunk size too large');
      size = size * 16 + hexValues[line[at]!]!;
      at++;
    }
    if (at === start) throw new MalformedResponseError(`bad chunk size ${quote(line, start, end)}`);
    while (at < end && isBlank(line[at]!)) at++;
    if (at < end && line[at] !== 0x3b)
      throw new MalformedResponseError(`bad chunk size ${quote(line, start, end)}`);
    for (let i = at; i < end; i++) {
      if (line[i] === 0 || line[i] === cr) throw new MalformedResponseError('bad chunk extension');
    }
    if (size === 0) {
      this.state = trailerLines;
      this.headerBytes = 0;
    } else {
      this.remaining = size;
      this.state = chunkData;
    }
  }
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

function isBlank(byte: number): boolean {
  return byte === space || byte === tab;
}

/** Case-insensitive match against a lower-case name of letters, dashes and `=` (names are tokens already). */
function nameIs(line: Buffer, start: number, name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) {
    if ((line[start + i]! | 0x20) !== name[i]) return false;
  }
  return true;
}

/** The offending line for a message, cut short and with control characters escaped. */
function quote(line: Buffer, start: number, end: number): string {
  return JSON.stringify(line.toString('latin1', start, Math.min(end, start + 80)));
}
