import { describe, expect, it } from 'vitest';
import {
  mergeValues,
  parseSetArgument,
  SetSyntaxError,
  valuesFromSetArguments,
} from '../../src/config/set-values.js';
import { ITER8_SEED_SETS } from './fixtures/iter8-seed.js';

function parse(arg: string, asString = false): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  parseSetArgument(arg, target, { asString });
  return target;
}

function syntaxErrorOf(run: () => unknown): SetSyntaxError {
  try {
    run();
  } catch (error) {
    if (error instanceof SetSyntaxError) return error;
    throw error;
  }
  throw new Error('expected a SetSyntaxError');
}

describe('parseSetArgument: paths and structure', () => {
  it.each([
    { arg: 'a=b', expected: { a: 'b' } },
    { arg: 'a.b.c=v', expected: { a: { b: { c: 'v' } } } },
    { arg: 'a=1,b=2', expected: { a: 1, b: 2 } },
    { arg: 'a.b=1,a.c=2', expected: { a: { b: 1, c: 2 } } },
    { arg: 'a=1,a=2', expected: { a: 2 } },
    { arg: 'a.b=1,a=2', expected: { a: 2 } },
    { arg: 'a=null,a.b=1', expected: { a: { b: 1 } } },
    { arg: 'a[0]=x', expected: { a: ['x'] } },
    { arg: 'a[2]=x', expected: { a: [null, null, 'x'] } },
    { arg: 'a[0].b=v', expected: { a: [{ b: 'v' }] } },
    { arg: 'a[0].b=1,a[0].c=2', expected: { a: [{ b: 1, c: 2 }] } },
    { arg: 'a[1][0]=x', expected: { a: [null, ['x']] } },
    { arg: 'a={p,q,r},a[1]=z', expected: { a: ['p', 'z', 'r'] } },
    { arg: 'a.b[1].c.d=1', expected: { a: { b: [null, { c: { d: 1 } }] } } },
    { arg: 'a={x,y}', expected: { a: ['x', 'y'] } },
    { arg: 'a={}', expected: { a: [] } },
    { arg: 'a={x}', expected: { a: ['x'] } },
    { arg: 'a={x,}', expected: { a: ['x', ''] } },
    { arg: 'a={x,y},b=1', expected: { a: ['x', 'y'], b: 1 } },
    { arg: 'a[0]={x,y}', expected: { a: [['x', 'y']] } },
    { arg: 'a={1,true,null,007,x y}', expected: { a: [1, true, null, '007', 'x y'] } },
    { arg: 'a=', expected: { a: '' } },
    { arg: 'a=,b=1', expected: { a: '', b: 1 } },
    { arg: 'a=1,', expected: { a: 1 } },
    { arg: '', expected: {} },
    { arg: 'a=b=c', expected: { a: 'b=c' } },
    { arg: 'a=x{y}', expected: { a: 'x{y}' } },
    { arg: 'a=}', expected: { a: '}' } },
    { arg: 'a=x]y', expected: { a: 'x]y' } },
    { arg: 'k8s/name-x=1', expected: { 'k8s/name-x': 1 } },
    { arg: "it's=fine", expected: { "it's": 'fine' } },
    { arg: 'a b=c d', expected: { 'a b': 'c d' } },
  ])('$arg', ({ arg, expected }) => {
    expect(parse(arg)).toEqual(expected);
  });
});

describe('parseSetArgument: escapes', () => {
  it.each([
    { arg: 'a\\.b=1', expected: { 'a.b': 1 } },
    { arg: 'x.a\\.b.c=1', expected: { x: { 'a.b': { c: 1 } } } },
    { arg: 'a=1\\,2', expected: { a: '1,2' } },
    { arg: 'a=1\\,2,b=3', expected: { a: '1,2', b: 3 } },
    { arg: 'a={x\\,y,z}', expected: { a: ['x,y', 'z'] } },
    { arg: 'a={x\\}y}', expected: { a: ['x}y'] } },
    { arg: 'a=\\{x}', expected: { a: '{x}' } },
    { arg: 'a\\[0\\]=1', expected: { 'a[0]': 1 } },
    { arg: 'a\\=b=1', expected: { 'a=b': 1 } },
    { arg: 'a=c:\\\\dir', expected: { a: 'c:\\dir' } },
    { arg: 'a=\\1', expected: { a: 1 } },
  ])('$arg', ({ arg, expected }) => {
    expect(parse(arg)).toEqual(expected);
  });
});

describe('parseSetArgument: value typing', () => {
  it.each([
    { raw: 'true', typed: true },
    { raw: 'false', typed: false },
    { raw: 'TRUE', typed: true },
    { raw: 'False', typed: false },
    { raw: 'null', typed: null },
    { raw: 'Null', typed: null },
    { raw: '0', typed: 0 },
    { raw: '-0', typed: 0 },
    { raw: '25', typed: 25 },
    { raw: '-3', typed: -3 },
    { raw: '+5', typed: 5 },
    { raw: '0.005', typed: 0.005 },
    { raw: '1.5', typed: 1.5 },
    { raw: '-2.25', typed: -2.25 },
    { raw: '1e3', typed: 1000 },
    { raw: '2.5E-2', typed: 0.025 },
    { raw: '00002', typed: '00002' },
    { raw: '007', typed: '007' },
    { raw: '-00002', typed: '-00002' },
    { raw: '00.5', typed: '00.5' },
    { raw: '.5', typed: '.5' },
    { raw: '5.', typed: '5.' },
    { raw: '0x10', typed: '0x10' },
    { raw: '1_000', typed: '1_000' },
    { raw: '1e400', typed: '1e400' },
    { raw: '12345678901234567890', typed: '12345678901234567890' },
    { raw: 'Infinity', typed: 'Infinity' },
    { raw: 'NaN', typed: 'NaN' },
    { raw: ' 1', typed: ' 1' },
    { raw: '180s', typed: '180s' },
    { raw: 'yes', typed: 'yes' },
    { raw: '', typed: '' },
  ])('$raw -> $typed', ({ raw, typed }) => {
    expect(parse(`v=${raw}`)).toEqual({ v: typed });
  });

  it.each(['true', 'null', '25', '0.005', '1e3', '007', ''])('asString keeps %j as a string', (raw) => {
    expect(parse(`v=${raw}`, true)).toEqual({ v: raw });
  });

  it('asString keeps list items as strings', () => {
    expect(parse('v={1,true,null}', true)).toEqual({ v: ['1', 'true', 'null'] });
  });
});

describe('parseSetArgument: errors', () => {
  it.each([
    { arg: 'foo', column: 4, message: "missing '=' after foo" },
    { arg: 'a.b', column: 4, message: "missing '=' after a.b" },
    { arg: 'foo,bar=1', column: 4, message: "missing '=' after foo" },
    { arg: 'a=1,b', column: 6, message: "missing '=' after b" },
    { arg: 'a[0]', column: 5, message: "missing '=' after a[0]" },
    { arg: 'a[0=1', column: 2, message: "unclosed '['" },
    { arg: 'a[x]=1', column: 3, message: 'list index "x" is not a number' },
    { arg: 'a[-1]=1', column: 3, message: 'negative list index -1' },
    { arg: 'a[]=1', column: 3, message: 'empty list index' },
    { arg: 'a[1.5]=1', column: 3, message: 'list index "1.5" is not a number' },
    { arg: 'a[70000]=1', column: 3, message: 'larger than the maximum 65536' },
    { arg: 'a[0]x=1', column: 5, message: `unexpected "x" after ']'` },
    { arg: 'a={x,y', column: 3, message: "unclosed '{'" },
    { arg: 'a={', column: 3, message: "unclosed '{'" },
    { arg: 'b=1,a={x', column: 7, message: "unclosed '{'" },
    { arg: 'a={x}y', column: 6, message: "unexpected text after '}'" },
    { arg: 'a..b=1', column: 3, message: 'empty key segment' },
    { arg: 'a.=1', column: 3, message: 'empty key segment' },
    { arg: 'a.', column: 3, message: 'empty key segment' },
    { arg: '.a=1', column: 1, message: "missing key before '.'" },
    { arg: '=1', column: 1, message: "missing key before '='" },
    { arg: '[0]=1', column: 1, message: "missing key before '['" },
    { arg: 'a=1,,b=2', column: 5, message: "missing key before ','" },
    { arg: ',', column: 1, message: "missing key before ','" },
    { arg: 'a=x\\', column: 4, message: 'backslash at the end escapes nothing' },
    { arg: 'a=1,a.b=2', column: 7, message: 'a is already a value, cannot set a.b' },
    { arg: 'a.b=x,a.b.c[0]=2', column: 11, message: 'a.b is already a value, cannot set a.b.c[0]' },
    { arg: 'a=1,a[0]=2', column: 6, message: 'a is already a value, cannot set a[0]' },
    { arg: 'a={x},a.b=2', column: 9, message: 'a is a list, cannot set a.b' },
    { arg: 'a.b=1,a[0]=2', column: 8, message: 'a is a map, cannot set a[0]' },
    { arg: 'a={x},a[0].b=1', column: 12, message: 'a[0] is already a value, cannot set a[0].b' },
    { arg: 'a\\.b=1,a\\.b.c=2', column: 13, message: 'a\\.b is already a value, cannot set a\\.b.c' },
  ])('$arg', ({ arg, column, message }) => {
    const error = syntaxErrorOf(() => parse(arg));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SetSyntaxError');
    expect(error.argument).toBe(arg);
    expect(error.column).toBe(column);
    expect(error.message).toContain(message);
    expect(error.message).toContain(`--set ${JSON.stringify(arg)}`);
    expect(error.message).toContain(`column ${column}`);
  });

  it('names --set-string in messages from string arguments', () => {
    const error = syntaxErrorOf(() => parse('foo', true));
    expect(error.message).toMatch(/^--set-string "foo": /);
  });

  it('gives hints for the common mistakes', () => {
    expect(syntaxErrorOf(() => parse('foo')).hint).toBe('give it a value, e.g. foo=true');
    expect(syntaxErrorOf(() => parse('a={x')).hint).toContain('tasks={http,assess}');
    expect(syntaxErrorOf(() => parse('a=1,a.b=2')).hint).toBe(
      'a was set to 1 earlier; remove one of the two assignments',
    );
  });

  it('leaves the target untouched on a syntax error', () => {
    const target: Record<string, unknown> = { keep: 1 };
    expect(() => parseSetArgument('x=1,y[', target, { asString: false })).toThrow(SetSyntaxError);
    expect(target).toEqual({ keep: 1 });
  });

  it('detects conflicts with values set by an earlier argument', () => {
    const target: Record<string, unknown> = {};
    parseSetArgument('a=1', target, { asString: false });
    const error = syntaxErrorOf(() => parseSetArgument('a.b=2', target, { asString: false }));
    expect(error.message).toContain('a is already a value, cannot set a.b');
    expect(error.column).toBe(3);
  });
});

describe('parseSetArgument: safety', () => {
  it('stores __proto__ as an ordinary key', () => {
    const target = parse('__proto__.polluted=1');
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(target)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(target, '__proto__')?.value).toEqual({ polluted: 1 });
  });

  it('accumulates into an existing target', () => {
    const target: Record<string, unknown> = { a: { x: 1 } };
    parseSetArgument('a.y=2', target, { asString: false });
    expect(target).toEqual({ a: { x: 1, y: 2 } });
  });
});

describe('valuesFromSetArguments', () => {
  it('parses the Iter8 KServe seed into exactly the expected values', () => {
    expect(valuesFromSetArguments([...ITER8_SEED_SETS], [])).toEqual({
      tasks: ['ready', 'custommetrics', 'assess'],
      ready: { isvc: 'sklearn-iris', timeout: '180s' },
      custommetrics: {
        templates: {
          'kserve-prometheus':
            'https://gist.githubusercontent.com/kalantar/adc6c9b0efe483c00b8f0c20605ac36c/raw/c4562e87b7ac0652b0e46f8f494d024307bff7a1/kserve-prometheus.tpl',
        },
        values: {
          labels: { service_name: 'sklearn-iris-predictor-default' },
          latencyPercentiles: [50, 75, 90, 95],
        },
        versionValues: [
          { labels: { revision_name: 'sklearn-iris-predictor-default-00002' } },
          { labels: { revision_name: 'sklearn-iris-predictor-default-00001' } },
        ],
      },
      assess: {
        SLOs: {
          upper: {
            'kserve-prometheus/error-count': 0,
            'kserve-prometheus/latency-mean': 25,
            'kserve-prometheus/latency-p90': 40,
          },
        },
      },
      runner: 'cronjob',
      cronjobSchedule: '*/1 * * * *',
    });
  });

  it.each([
    { sets: ['a=1'], setStrings: [], expected: { a: 1 } },
    { sets: [], setStrings: ['a=1'], expected: { a: '1' } },
    // Helm applies every --set before every --set-string.
    { sets: ['a=1'], setStrings: ['a=2'], expected: { a: '2' } },
    { sets: ['a=1', 'a=3'], setStrings: [], expected: { a: 3 } },
    { sets: ['a.b=1'], setStrings: ['a.c=007'], expected: { a: { b: 1, c: '007' } } },
    { sets: ['x={1,2}'], setStrings: ['y={1,2}'], expected: { x: [1, 2], y: ['1', '2'] } },
  ])('sets=$sets setStrings=$setStrings', ({ sets, setStrings, expected }) => {
    expect(valuesFromSetArguments(sets, setStrings)).toEqual(expected);
  });

  it('reports errors from --set-string arguments', () => {
    expect(() => valuesFromSetArguments([], ['foo'])).toThrow(/--set-string "foo"/);
  });
});

describe('mergeValues', () => {
  it.each([
    { base: {}, overlay: {}, expected: {} },
    { base: { a: 1 }, overlay: { b: 2 }, expected: { a: 1, b: 2 } },
    { base: { a: 1 }, overlay: { a: 2 }, expected: { a: 2 } },
    { base: { a: { x: 1, y: 1 } }, overlay: { a: { y: 2, z: 2 } }, expected: { a: { x: 1, y: 2, z: 2 } } },
    { base: { a: { b: { c: 1 } } }, overlay: { a: { b: { d: 2 } } }, expected: { a: { b: { c: 1, d: 2 } } } },
    { base: { a: [1, 2, 3] }, overlay: { a: [9] }, expected: { a: [9] } },
    { base: { a: { x: 1 } }, overlay: { a: 'flat' }, expected: { a: 'flat' } },
    { base: { a: 'flat' }, overlay: { a: { x: 1 } }, expected: { a: { x: 1 } } },
    { base: { a: { x: 1 } }, overlay: { a: null }, expected: { a: null } },
    { base: { a: [{ x: 1 }] }, overlay: { a: [{ y: 2 }] }, expected: { a: [{ y: 2 }] } },
  ])('$base + $overlay', ({ base, overlay, expected }) => {
    expect(mergeValues(base, overlay)).toEqual(expected);
  });

  it('does not mutate or share its inputs', () => {
    const base = { a: { list: [1, 2], keep: { deep: true } } };
    const overlay = { a: { extra: { n: 1 } }, b: [{ c: 1 }] };
    const baseSnapshot = structuredClone(base);
    const overlaySnapshot = structuredClone(overlay);
    const merged = mergeValues(base, overlay);
    expect(base).toEqual(baseSnapshot);
    expect(overlay).toEqual(overlaySnapshot);

    // Writing into the result must not reach either input.
    parseSetArgument('a.list[0]=9,a.keep.deep=false,a.extra.n=2,b[0].c=2', merged, { asString: false });
    expect(base).toEqual(baseSnapshot);
    expect(overlay).toEqual(overlaySnapshot);
  });

  it('layers values files and then --set, as the CLI does', () => {
    const fileA = { tasks: ['http'], http: { url: 'http://a', qps: 5 } };
    const fileB = { tasks: ['http', 'assess'], http: { qps: 10 } };
    const sets = valuesFromSetArguments(['http.duration=30s'], []);
    expect(mergeValues(mergeValues(fileA, fileB), sets)).toEqual({
      tasks: ['http', 'assess'],
      http: { url: 'http://a', qps: 10, duration: '30s' },
    });
  });
});
