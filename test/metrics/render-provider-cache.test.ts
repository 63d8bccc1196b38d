import { describe, expect, it } from 'vitest';
import { compileProvider } from '../../src/metrics/templates/render-provider.js';
import type { TemplateSource } from '../../src/metrics/templates/template-source.js';

const njk = (text: string, origin = 'cache.njk'): TemplateSource => ({ origin, text, syntax: 'nunjucks' });
const template = `url: {{ url | dump }}
metrics:
- name: m
  params: [{name: query, value: {{ ("up{job=\\"" + job + "\\"}[" + (elapsedTimeSeconds | window) + "]") | dump }}}]
  jqExpression: .data.result[0].value[1] | tonumber
`;

describe('compiled templates and parsed specs are reused only for the same inputs', () => {
  it('the same source compiles once; another text, name or origin compiles anew', () => {
    const first = compileProvider(njk(template), 'p');
    expect(compileProvider(njk(template), 'p')).toBe(first);
    const edited = compileProvider(njk(template.replace('name: m', 'name: edited')), 'p');
    expect(edited).not.toBe(first);
    expect(edited.render({ url: 'http://h/q', job: 'a' }, 60).spec.metrics[0]!.name).toBe('edited');
    expect(compileProvider(njk(template), 'q')).not.toBe(first);
    expect(compileProvider(njk(template, 'other.njk'), 'p')).not.toBe(first);
  });

  it('another version, value or elapsed time renders its own spec', () => {
    const provider = compileProvider(njk(template), 'p');
    const query = (job: string, elapsed: number) =>
      provider.render({ url: 'http://h/q', job }, elapsed).spec.metrics[0]!.params![0]!.value;
    expect(query('a', 60)).toBe('up{job="a"}[60s]');
    expect(query('b', 60)).toBe('up{job="b"}[60s]');
    expect(query('a', 120)).toBe('up{job="a"}[120s]');
    expect(query('a', 60)).toBe('up{job="a"}[60s]');
  });

  it('a caller changing its spec does not change the next render', () => {
    const provider = compileProvider(njk(template), 'p');
    const values = { url: 'http://h/q', job: 'a' };
    const first = provider.render(values, 60).spec;
    first.metrics[0]!.name = 'changed';
    first.metrics.push({ name: 'extra', jqExpression: '.' });
    const second = provider.render(values, 60).spec;
    expect(second.metrics.map((m) => m.name)).toEqual(['m']);
  });

  it('a template that failed to compile is not remembered as compiled', () => {
    expect(() => compileProvider(njk('{% if %}'), 'broken')).toThrow();
    expect(() => compileProvider(njk('{% if %}'), 'broken')).toThrow();
  });
});
