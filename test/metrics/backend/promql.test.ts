import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import {
  checkPromql,
  escapePromqlLabelValue,
  escapePromqlRegex,
} from '../../../src/metrics/backend/promql.js';

describe('checkPromql', () => {
  it('accepts valid queries', () => {
    for (const query of [
      'up',
      'sum(rate(http_requests_total{job="api", code=~"5.."}[5m])) by (pod)',
      'histogram_quantile(0.9, sum by (le) (rate(latency_bucket{version="v2"}[1m])))',
      'up @ start()',
      'up # trailing comment',
      'up{job="a\\"b"}',
    ]) {
      expect(checkPromql(query), query).toEqual([]);
    }
  });

  it('points at an unexpected token', () => {
    expect(checkPromql('sum(rate(x[5m])))')).toEqual([
      { message: 'unexpected ")" at line 1, column 17', offset: 16, line: 1, column: 17 },
    ]);
    expect(checkPromql('sum(\n  rate(x[5m]) + )')).toEqual([
      { message: 'unexpected ")" at line 2, column 17', offset: 21, line: 2, column: 17 },
    ]);
  });

  it('reports an incomplete expression at its end', () => {
    expect(checkPromql('sum(rate(x[5m])')).toEqual([
      { message: 'incomplete expression at line 1, column 16', offset: 15, line: 1, column: 16 },
    ]);
    expect(checkPromql('1 +')[0]?.message).toBe('incomplete expression at line 1, column 4');
    expect(checkPromql('up{job="a"')[0]?.message).toMatch(/^incomplete expression/);
    expect(checkPromql('')[0]?.message).toBe('incomplete expression at line 1, column 1');
  });

  it('names an unknown function once', () => {
    expect(checkPromql('sum(foo(bar))')).toEqual([
      { message: 'unknown function "foo" at line 1, column 5', offset: 4, line: 1, column: 5 },
    ]);
    expect(checkPromql('sum(foo(bar, ")", baz{a="1"})) + (1')).toEqual([
      { message: 'unknown function "foo" at line 1, column 5', offset: 4, line: 1, column: 5 },
      { message: 'incomplete expression at line 1, column 36', offset: 35, line: 1, column: 36 },
    ]);
  });

  it('reports stray words', () => {
    expect(checkPromql('sum by (a b) (x)')).toEqual([
      { message: 'unexpected "b" at line 1, column 11', offset: 10, line: 1, column: 11 },
    ]);
    expect(checkPromql('up{{ .Version }}').length).toBeGreaterThan(0);
  });
});

/** Label matchers of every vector selector, with their values unquoted. */
function selectors(query: string): Array<{ name: string; matchers: Array<[string, string]> }> {
  const result: Array<{ name: string; matchers: Array<[string, string]> }> = [];
  const cursor = parser.parse(query).cursor();
  do {
    if (cursor.type.name !== 'VectorSelector') continue;
    const node = cursor.node;
    const name = node.getChild('Identifier');
    const matchers: Array<[string, string]> = [];
    for (const matcher of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
      const label = matcher.getChild('LabelName');
      const value = matcher.getChild('StringLiteral');
      if (!label || !value) continue;
      matchers.push([
        query.slice(label.from, label.to),
        JSON.parse(query.slice(value.from, value.to)) as string,
      ]);
    }
    result.push({ name: name ? query.slice(name.from, name.to) : '', matchers });
  } while (cursor.next());
  return result;
}

describe('escapePromqlLabelValue', () => {
  it('escapes backslashes, quotes and line breaks', () => {
    expect(escapePromqlLabelValue('a\\b"c\nd\re\tf')).toBe('a\\\\b\\"c\\nd\\re\\tf');
    expect(escapePromqlLabelValue('\u0001')).toBe('\\x01');
    expect(escapePromqlLabelValue('v1.2-é')).toBe('v1.2-é');
  });

  it('keeps an injected value inside its matcher', () => {
    const value = 'x"} or vector(1) or foo{a="';
    const query = `up{job="${escapePromqlLabelValue(value)}"}`;
    expect(checkPromql(query)).toEqual([]);
    expect(selectors(query)).toEqual([{ name: 'up', matchers: [['job', value]] }]);

    const unescaped = `up{job="${value}"}`;
    expect(selectors(unescaped).length).toBe(2); // what the escaping prevents
  });

  it('keeps values with backslashes and newlines intact', () => {
    for (const value of ['C:\\dir\\', 'two\nlines', '\\"', 'ends with backslash \\']) {
      const query = `up{job="${escapePromqlLabelValue(value)}"}`;
      expect(checkPromql(query), value).toEqual([]);
      expect(selectors(query)).toEqual([{ name: 'up', matchers: [['job', value]] }]);
    }
  });
});

describe('escapePromqlRegex', () => {
  it('makes metacharacters literal', () => {
    expect(escapePromqlRegex('a.b*(c)|d')).toBe('a\\.b\\*\\(c\\)\\|d');
    const value = 'v1.0+build';
    expect(new RegExp(`^${escapePromqlRegex(value)}$`).test(value)).toBe(true);
    expect(new RegExp(`^${escapePromqlRegex(value)}$`).test('v1x0+build')).toBe(false);
  });
});
