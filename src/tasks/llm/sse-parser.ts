/**
 * Incremental server-sent events parser (the `data:` field, per the WHATWG event-stream rules): bytes
 * arrive in arbitrary pieces, so an event, a line, a CRLF pair or a UTF-8 character may be split
 * between reads. Returns the data of each complete event.
 */
export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private line = '';
  private data: string[] = [];
  /** The last piece ended in CR: an LF at the start of the next one belongs to it. */
  private afterCr = false;

  push(bytes: Uint8Array): string[] {
    return this.parse(this.decoder.decode(bytes, { stream: true }));
  }

  /** The stream ended: an event without its blank line is incomplete and dropped, as browsers do. */
  end(): string[] {
    const events = this.parse(this.decoder.decode());
    this.line = '';
    this.data = [];
    return events;
  }

  private parse(text: string): string[] {
    const events: string[] = [];
    let start = 0;
    if (this.afterCr && text.length > 0) {
      // The LF of a CRLF split across pieces.
      if (text.charCodeAt(0) === 10) start = 1;
      this.afterCr = false;
    }
    for (let i = start; i < text.length; i++) {
      const char = text.charCodeAt(i);
      if (char !== 10 && char !== 13) continue;
      this.line += text.slice(start, i);
      this.endLine(events);
      if (char === 13) {
        if (i + 1 === text.length) this.afterCr = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    if (start < text.length) this.line += text.slice(start);
    return events;
  }

  private endLine(events: string[]): void {
    const line = this.line;
    this.line = '';
    if (line === '') {
      if (this.data.length > 0) events.push(this.data.join('\n'));
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.data.push(value);
  }
}
