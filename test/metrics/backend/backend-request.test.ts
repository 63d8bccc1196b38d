import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../../../src/metrics/backend/backend-request.js';

describe('prepareRequest', () => {
  it('keeps a caller-set content type on a form POST', () => {
    const prepared = prepareRequest({
      url: 'http://prom:9090/api/v1/query',
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      params: [{ name: 'query', value: 'a & b = c' }],
    });
    expect(prepared).toMatchObject({
      body: 'query=a+%26+b+%3D+c',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
    });
  });

  it('leaves a POST without params alone', () => {
    const prepared = prepareRequest({ url: 'http://x/', method: 'POST', headers: {} });
    expect(prepared).toMatchObject({ body: undefined, headers: {} });
  });

  it("keeps a GET's body, typed as Iter8 typed it unless a header says otherwise", () => {
    expect(prepareRequest({ url: 'http://x/', method: 'GET', headers: {}, body: '{}' })).toMatchObject({
      method: 'GET',
      body: '{}',
      headers: { 'content-type': 'application/json;charset=utf-8' },
    });
    const typed = prepareRequest({
      url: 'http://x/',
      method: 'POST',
      headers: { 'Content-Type': 'text/csv' },
      body: 'a',
    });
    expect(typed).toMatchObject({ headers: { 'Content-Type': 'text/csv' } });
    expect(Object.keys((typed as { headers: object }).headers)).toEqual(['Content-Type']);
  });
});
