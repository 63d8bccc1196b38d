import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MalformedResponseError,
  ResponseParser,
  maxHeaderBytes,
} from '../../../src/tasks/http/response-parser.js';

interface Parsed {
  status: number;
  keepAlive: boolean;
  headers: Array<[string, string]>;
  body: string;
}

/**
 * Feeds `pieces` to one parser as a connection would, and returns every response completed. `finish`
 * says whether the connection ended after the last piece; `head` marks responses to HEAD requests.
 */
function parseAll(pieces: Buffer[], options: { finish?: boolean; head?: boolean } = {}): Parsed[] {
  const responses: Parsed[] = [];
  let current: Parsed = { status: 0, keepAlive: true, headers: [], body: '' };
  const bodyParts: Buffer[] = [];
  const parser = new ResponseParser({
    onHeader: (name, value) => current.headers.push([name, value]),
    onBody: (chunk) => bodyParts.push(Buffer.from(chunk)),
  });
  const done = () => {
    responses.push({
      ...current,
      status: parser.status,
      keepAlive: parser.keepAlive,
      body: Buffer.concat(bodyParts).toString('latin1'),
    });
    bodyParts.length = 0;
    current = { status: 0, keepAlive: true, headers: [], body: '' };
    parser.reset(options.head ?? false);
  };
  parser.reset(options.head ?? false);
  for (const piece of pieces) {
    let at = 0;
    while (at < piece.length) {
      const end = parser.execute(piece, at);
      if (end < 0) break;
      done();
      at = end;
    }
  }
  if (options.finish && parser.finish()) done();
  return responses;
}

const parseOne = (text: string, options: { finish?: boolean; head?: boolean } = {}) =>
  parseAll([Buffer.from(text, 'latin1')], options);

function parseError(text: string): string {
  try {
    parseOne(text, { finish: true });
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error).toMatchObject({ code: 'malformed-response' });
    return (error as Error).message;
  }
  throw new Error(`parsed without an error: ${JSON.stringify(text)}`);
}

describe('response parser: framing', () => {
  it('reads a Content-Length body and keeps the connection', () => {
    expect(parseOne('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello')).toEqual([
      {
        status: 200,
        keepAlive: true,
        headers: [
          ['Content-Length', '5'],
          ['X-A', 'b'],
        ],
        body: 'hello',
      },
    ]);
  });

  it('reads a chunked body with extensions and trailers', () => {
    const text =
      'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5;name=value\r\nhello\r\n1 ; a="b;c"\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n';
    expect(parseOne(text)).toEqual([
      {
        status: 201,
        keepAlive: true,
        headers: [
          ['Transfer-Encoding', 'chunked'],
          ['X-Trailer', 't'],
        ],
        body: 'hello 0123456789',
      },
    ]);
  });

  it('reads several responses from one buffer', () => {
    const one = 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na';
    const two = 'HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n';
    const three = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
    expect(parseOne(one + two + three).map((r) => [r.status, r.body])).toEqual([
      [200, 'a'],
      [404, 'b'],
      [200, ''],
    ]);
  });

  it('returns the offset just past the response, leaving what follows', () => {
    const parser = new ResponseParser();
    parser.reset(false);
    const data = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA');
    expect(parser.execute(data)).toBe(data.length - 5);
  });

  it('reads a body without length or chunking until the connection ends', () => {
    const parser = new ResponseParser();
    parser.reset(false);
    expect(parser.execute(Buffer.from('HTTP/1.1 200 OK\r\n\r\nsome'))).toBe(-1);
    expect(parser.execute(Buffer.from(' more'))).toBe(-1);
    expect(parser.keepAlive).toBe(false);
    expect(parser.finish()).toBe(true);
    expect(parseOne('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz', { finish: true })).toMatchObject([
      { body: 'zz', keepAlive: false },
    ]);
  });

  it('does not complete a response cut short by the close', () => {
    const parser = new ResponseParser();
    parser.reset(false);
    expect(parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'))).toBe(-1);
    expect(parser.finish()).toBe(false);
    expect(parser.receivedBytes).toBeGreaterThan(0);
  });

  it('reads no body after HEAD, 204 and 304 whatever the headers say', () => {
    const head = parseOne(
      'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
      {
        head: true,
      },
    );
    expect(head.map((r) => [r.status, r.body])).toEqual([
      [200, ''],
      [200, ''],
    ]);
    for (const status of [204, 304]) {
      const text = `HTTP/1.1 ${status} X\r\nContent-Length: 7\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz`;
      expect(parseOne(text).map((r) => [r.status, r.body])).toEqual([
        [status, ''],
        [200, 'z'],
      ]);
    }
  });

  it('skips 1xx interim responses', () => {
    const text =
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX-Interim: 1\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    expect(parseOne(text)).toEqual([
      { status: 200, keepAlive: true, headers: [['Content-Length', '2']], body: 'ok' },
    ]);
  });

  it('reads whether the connection stays open', () => {
    const keepAlive = (head: string) => parseOne(`${head}\r\nContent-Length: 0\r\n\r\n`)[0]!.keepAlive;
    expect(keepAlive('HTTP/1.1 200 OK')).toBe(true);
    expect(keepAlive('HTTP/1.1 200 OK\r\nConnection: close')).toBe(false);
    expect(keepAlive('HTTP/1.1 200 OK\r\nconnection: Upgrade, CLOSE')).toBe(false);
    expect(keepAlive('HTTP/1.0 200 OK')).toBe(false);
    expect(keepAlive('HTTP/1.0 200 OK\r\nConnection: keep-alive')).toBe(true);
    // Both framings: the chunked coding wins, and the connection is not trusted with another response.
    const both = parseOne(
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n',
    );
    expect(both).toMatchObject([{ body: 'x', keepAlive: false }]);
  });

  it("reads the server's keep-alive timeout", () => {
    const parser = new ResponseParser();
    parser.reset(false);
    parser.execute(
      Buffer.from('HTTP/1.1 200 OK\r\nKeep-Alive: max=5, timeout=7\r\nContent-Length: 0\r\n\r\n'),
    );
    expect(parser.keepAliveTimeoutMs).toBe(7000);
    for (const [value, ms] of [
      ['timeout=60', 60_000],
      ['Timeout=3, max=100', 3000],
      ['timeout=x', undefined],
      ['timeout=5x', undefined],
    ] as const) {
      parser.reset(false);
      parser.execute(Buffer.from(`HTTP/1.1 200 OK\r\nKeep-Alive: ${value}\r\nContent-Length: 0\r\n\r\n`));
      expect({ value, ms: parser.keepAliveTimeoutMs }).toEqual({ value, ms });
    }
    parser.reset(false);
    parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(parser.keepAliveTimeoutMs).toBeUndefined();
  });

  it('accepts a status line without a reason, bare LF line ends and a repeated equal length', () => {
    expect(parseOne('HTTP/1.1 503\nContent-Length: 2, 2\ncontent-length: 2\n\nno')).toMatchObject([
      { status: 503, body: 'no' },
    ]);
  });
});

describe('response parser: malformed responses', () => {
  const cases: Array<[string, RegExp]> = [
    ['HTTP/2 200 OK\r\n\r\n', /bad status line/],
    ['HTTP/1.1 20 OK\r\n\r\n', /bad status line/],
    ['HTTP/1.1 099 OK\r\n\r\n', /bad status line/],
    ['HTTP/1.1 2000 OK\r\n\r\n', /bad status line/],
    ['http/1.1 200 OK\r\n\r\n', /bad status line/],
    ['HTTP/1.1  200 OK\r\n\r\n', /bad status line/],
    ['<html>hello</html>\r\n\r\n', /bad status line/],
    ['HTTP/1.1 200 O\x01K\r\n\r\n', /bad status line/],
    ['HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n', /bad header name/],
    ['HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n', /bad header name/],
    ['HTTP/1.1 200 OK\r\n: empty name\r\n\r\n', /bad header line/],
    ['HTTP/1.1 200 OK\r\nX-A: b\r\n continued\r\n\r\n', /folded header line/],
    ['HTTP/1.1 200 OK\r\nX-A: b\rc\r\n\r\n', /bad header value/],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /bad content-length/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n', /bad content-length/],
    ['HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n', /bad content-length/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n', /bad content-length/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', /bad content-length/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456\r\n\r\n', /bad content-length/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip, chunked\r\n\r\n', /not the last/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n', /not the last/],
    ['HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', /HTTP\/1.0/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /bad chunk size/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n', /bad chunk size/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1 2\r\n', /bad chunk size/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n', /longer than its size/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n', /chunk size too large/],
    ['HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', /101/],
    [`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(maxHeaderBytes)}\r\n\r\n`, /too large/],
  ];
  it.each(cases)('refuses %j', (text, message) => {
    expect(parseError(text)).toMatch(message);
  });

  it('refuses an endless header line before it is complete', () => {
    const parser = new ResponseParser();
    parser.reset(false);
    parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nX-Big: '));
    const piece = Buffer.alloc(1024, 0x61);
    expect(() => {
      for (let i = 0; i < 100; i++) parser.execute(piece);
    }).toThrow(/too large/);
  });
});

/** A response as a generator draws it, and its bytes on the wire. */
interface Drawn {
  status: number;
  reason: string;
  headers: Array<[string, string]>;
  body: string;
  framing: 'length' | 'chunked' | 'close';
  chunkSizes: number[];
  extensions: string[];
  trailers: Array<[string, string]>;
  interim: number[];
  spaces: string[];
}

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const framingNames = /^(content-length|transfer-encoding|connection|keep-alive)$/i;
const fieldValue = fc.stringMatching(/^([!-~\x80-\xff]([ \t!-~\x80-\xff]{0,20}[!-~\x80-\xff])?)?$/);
const header = fc.tuple(
  token.filter((name) => !framingNames.test(name)),
  fieldValue,
);
const latin1Body = fc.string({
  unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
  maxLength: 300,
});

const drawnResponse: fc.Arbitrary<Drawn> = fc.record({
  status: fc.oneof(fc.constantFrom(200, 201, 204, 304, 404, 500, 503), fc.integer({ min: 200, max: 999 })),
  reason: fc.stringMatching(/^[ -~]{0,15}$/),
  headers: fc.array(header, { maxLength: 6 }),
  body: latin1Body,
  framing: fc.constantFrom('length' as const, 'chunked' as const, 'close' as const),
  chunkSizes: fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 20 }),
  extensions: fc.array(fc.constantFrom('', ';a=b', ' ; x', ';q="x;y"', ';n'), { minLength: 1, maxLength: 4 }),
  trailers: fc.array(header, { maxLength: 3 }),
  interim: fc.array(fc.constantFrom(100, 102, 103), { maxLength: 2 }),
  spaces: fc.array(fc.constantFrom('', ' ', '  ', '\t'), { minLength: 2, maxLength: 2 }),
});

/** The bytes of a drawn response, and what the parser should report for it. */
function serialize(drawn: Drawn): { wire: string; expected: Parsed } {
  const noBody = drawn.status === 204 || drawn.status === 304;
  const body = noBody ? '' : drawn.body;
  const [before, after] = drawn.spaces as [string, string];
  const headers = [...drawn.headers];
  if (drawn.framing === 'length') headers.push(['Content-Length', String(body.length)]);
  if (drawn.framing === 'chunked') headers.push(['Transfer-Encoding', 'chunked']);
  let wire = '';
  for (const status of drawn.interim) wire += `HTTP/1.1 ${status} Interim\r\nX-Interim:${before}1\r\n\r\n`;
  wire += `HTTP/1.1 ${drawn.status}${drawn.reason ? ` ${drawn.reason}` : ''}\r\n`;
  for (const [name, value] of headers) wire += `${name}:${before}${value}${after}\r\n`;
  wire += '\r\n';
  const trailers: Array<[string, string]> = [];
  if (!noBody && drawn.framing === 'chunked') {
    let at = 0;
    let i = 0;
    for (const chunkSize of drawn.chunkSizes) {
      if (at >= body.length) break;
      const chunk = body.slice(at, at + chunkSize);
      const hex = chunk.length.toString(16);
      const extension = drawn.extensions[i % drawn.extensions.length]!;
      wire += `${i % 2 ? hex.toUpperCase() : hex}${extension}\r\n${chunk}\r\n`;
      at += chunk.length;
      i++;
    }
    if (at < body.length) wire += `${(body.length - at).toString(16)}\r\n${body.slice(at)}\r\n`;
    wire += '0\r\n';
    for (const [name, value] of drawn.trailers) wire += `${name}: ${value}\r\n`;
    trailers.push(...drawn.trailers);
    wire += '\r\n';
  } else if (!noBody) {
    wire += body;
  }
  return {
    wire,
    expected: {
      status: drawn.status,
      keepAlive: noBody || drawn.framing !== 'close',
      headers: [...headers, ...trailers],
      body,
    },
  };
}

/** Cuts `data` at the given fractions of its length. */
function splitAt(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => Math.floor(cut * data.length)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let at = 0;
  for (const point of [...points, data.length]) {
    if (point > at) pieces.push(data.subarray(at, point));
    at = Math.max(at, point);
  }
  return pieces;
}

describe('response parser: random responses split at random points', () => {
  it('parse to the status, headers and body that were sent', () => {
    fc.assert(
      fc.property(
        fc.array(drawnResponse, { minLength: 1, maxLength: 4 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }),
        (drawn, cuts) => {
          // Only the last response may run until the close.
          const responses = drawn.map((d, i) =>
            serialize(i < drawn.length - 1 && d.framing === 'close' ? { ...d, framing: 'length' } : d),
          );
          const wire = Buffer.from(responses.map((r) => r.wire).join(''), 'latin1');
          expect(parseAll(splitAt(wire, cuts), { finish: true })).toEqual(responses.map((r) => r.expected));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('parse one byte at a time', () => {
    fc.assert(
      fc.property(drawnResponse, (drawn) => {
        const { wire, expected } = serialize(drawn);
        const bytes = Buffer.from(wire, 'latin1');
        const pieces = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
        expect(parseAll(pieces, { finish: true })).toEqual([expected]);
      }),
      { numRuns: 100 },
    );
  });
});
