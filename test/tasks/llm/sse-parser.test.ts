import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../src/tasks/llm/sse-parser.js';

const stream =
  ': comment\r\n' +
  'data: {"t":"日本"}\r\n\r\n' +
  'event: message\ndata: {"t":"🐦 é"}\n\n' +
  'data: first line\rdata: second line\r\r' +
  'data:[DONE]\n\n';
const expected = ['{"t":"日本"}', '{"t":"🐦 é"}', 'first line\nsecond line', '[DONE]'];

function parseInPieces(bytes: Buffer, cuts: number[]): string[] {
  const parser = new SseParser();
  const events: string[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    events.push(...parser.push(bytes.subarray(from, cut)));
    from = cut;
  }
  return [...events, ...parser.end()];
}

describe('SseParser', () => {
  const bytes = Buffer.from(stream, 'utf8');

  it('reads whole events with LF, CRLF and CR line ends, and skips comments and other fields', () => {
    expect(parseInPieces(bytes, [])).toEqual(expected);
  });

  it('gives the same events wherever one cut falls: inside a UTF-8 character, a CRLF or a field name', () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(parseInPieces(bytes, [cut]), `cut at byte ${cut}`).toEqual(expected);
    }
  });

  it('gives the same events when every byte arrives on its own', () => {
    expect(
      parseInPieces(
        bytes,
        Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
      ),
    ).toEqual(expected);
  });

  it('drops an event that the stream ends before its blank line', () => {
    expect(parseInPieces(Buffer.from('data: a\n\ndata: b'), [])).toEqual(['a']);
  });
});
