import { describe, expect, it } from 'vitest';
import { serializeRequest } from '../../../src/tasks/http/request-bytes.js';

const base = { method: 'GET', path: '/a?b=1', host: 'svc:8080', headers: {}, body: null };

describe('request bytes', () => {
  it('writes the request line, a Host header and the headers', () => {
    expect(serializeRequest({ ...base, headers: { 'x-a': 'b' } }).toString()).toBe(
      'GET /a?b=1 HTTP/1.1\r\nhost: svc:8080\r\nx-a: b\r\n\r\n',
    );
  });

  it("keeps the caller's Host header", () => {
    expect(serializeRequest({ ...base, headers: { host: 'other' } }).toString()).toBe(
      'GET /a?b=1 HTTP/1.1\r\nhost: other\r\n\r\n',
    );
  });

  it('frames a body with its length, and an empty POST with 0', () => {
    const body = Buffer.from([0, 1, 2]);
    const withBody = serializeRequest({ ...base, method: 'PUT', body });
    expect(withBody.subarray(0, -3).toString()).toBe(
      'PUT /a?b=1 HTTP/1.1\r\nhost: svc:8080\r\ncontent-length: 3\r\n\r\n',
    );
    expect(withBody.subarray(-3)).toEqual(body);
    expect(serializeRequest({ ...base, method: 'POST' }).toString()).toContain('content-length: 0\r\n');
    expect(serializeRequest({ ...base, method: 'DELETE' }).toString()).not.toContain('content-length');
  });

  it('refuses a header value that would end the header early', () => {
    expect(() => serializeRequest({ ...base, headers: { 'x-a': 'b\r\nx-c: d' } })).toThrow(
      'the value of header x-a contains a line break or NUL character',
    );
  });
});
