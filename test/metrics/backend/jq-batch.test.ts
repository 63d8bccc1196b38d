import { describe, expect, it } from 'vitest';
import { extractManyWithJq, extractWithJq } from '../../../src/metrics/backend/jq.js';

const vector = (value: unknown) => ({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] },
});
const documents: unknown[] = [
  vector('3.5'),
  vector('NaN'),
  vector('+Inf'),
  vector('-Inf'),
  { status: 'success', data: { resultType: 'vector', result: [] } },
  vector('abc'),
  vector(7),
  'a string document',
  null,
  { data: { result: [{ value: [1, '1e3'] }] } },
];

describe('extractManyWithJq: one jq run, the same answers as one run per document', () => {
  for (const expression of [
    '.data.result[0].value[1] | tonumber',
    '.data.result[0].value[1]',
    '.data.result[] | .value[1] | tonumber',
    'empty',
    'error("boom")',
    '.data | length',
    '.data.result[0].value[1] | tonumber # a trailing comment',
  ]) {
    it(expression, async () => {
      const one = await Promise.all(documents.map((d) => extractWithJq(d, expression)));
      expect(await extractManyWithJq(documents, expression)).toEqual(one);
    });
  }

  it('a syntax error answers every document with it', async () => {
    expect(await extractManyWithJq([1, 2], '.a |')).toEqual([
      { value: null, reason: 'jq: error: syntax error, unexpected end of file at line 1' },
      { value: null, reason: 'jq: error: syntax error, unexpected end of file at line 1' },
    ]);
  });

  it('many documents in one call stay in order', async () => {
    const many = Array.from({ length: 500 }, (_, i) => vector(String(i)));
    const results = await extractManyWithJq(many, '.data.result[0].value[1] | tonumber');
    expect(results).toEqual(many.map((_, i) => ({ value: i })));
  });
});
