import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkJqSyntax, extractWithJq, parseNumericString } from '../../../src/metrics/backend/jq.js';
import { estimateLeakedBytes, runJq } from '../../../src/metrics/backend/jq-runtime.js';

const vector = (value: string) => ({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: {}, value: [1700000000.123, value] }] },
});
const FIRST_VALUE = '.data.result[0].value[1]';

describe('extractWithJq', () => {
  it('reads a Prometheus sample value, which is a string', async () => {
    expect(await extractWithJq(vector('3.5'), FIRST_VALUE)).toEqual({ value: 3.5 });
    expect(await extractWithJq(vector('1e-05'), FIRST_VALUE)).toEqual({ value: 1e-5 });
    expect(await extractWithJq(vector('42'), `${FIRST_VALUE} | tonumber`)).toEqual({ value: 42 });
  });

  it('names NaN and infinities, whether jq sees strings or numbers', async () => {
    expect(await extractWithJq(vector('NaN'), FIRST_VALUE)).toEqual({ value: null, reason: 'NaN' });
    expect(await extractWithJq(vector('+Inf'), FIRST_VALUE)).toEqual({ value: null, reason: '+Inf' });
    expect(await extractWithJq(vector('-Inf'), FIRST_VALUE)).toEqual({ value: null, reason: '-Inf' });
    // jq 1.7 would print these as null and ±1.797e308
    expect(await extractWithJq(vector('NaN'), `${FIRST_VALUE} | tonumber`)).toEqual({
      value: null,
      reason: 'NaN',
    });
    expect(await extractWithJq(vector('+Inf'), `${FIRST_VALUE} | tonumber`)).toEqual({
      value: null,
      reason: '+Inf',
    });
    expect(await extractWithJq(vector('-Inf'), `${FIRST_VALUE} | tonumber`)).toEqual({
      value: null,
      reason: '-Inf',
    });
    expect(await extractWithJq({}, 'nan')).toEqual({ value: null, reason: 'NaN' });
    expect(await extractWithJq({}, 'infinite')).toEqual({ value: null, reason: '+Inf' });
    expect(await extractWithJq({}, '1e1000')).toEqual({ value: null, reason: '+Inf' });
  });

  it('keeps a real maximum double', async () => {
    expect(await extractWithJq({ a: 1.7976931348623157e308 }, '.a')).toEqual({
      value: 1.7976931348623157e308,
    });
  });

  it('explains an empty vector', async () => {
    const empty = { status: 'success', data: { resultType: 'vector', result: [] } };
    expect(await extractWithJq(empty, FIRST_VALUE)).toEqual({
      value: null,
      reason: 'jq returned null (empty result?)',
    });
    expect(await extractWithJq(empty, '.data.result[]')).toEqual({
      value: null,
      reason: 'jq returned no output',
    });
    expect(await extractWithJq(empty, `${FIRST_VALUE} | tonumber`)).toEqual({
      value: null,
      reason: 'jq: error: null (null) cannot be parsed as a number',
    });
  });

  it('names non-numeric outputs', async () => {
    expect(await extractWithJq({ a: 'abc' }, '.a')).toEqual({
      value: null,
      reason: 'jq returned a string "abc"',
    });
    expect(await extractWithJq({ a: '' }, '.a')).toEqual({ value: null, reason: 'jq returned a string ""' });
    expect(await extractWithJq({ a: '0x10' }, '.a')).toEqual({
      value: null,
      reason: 'jq returned a string "0x10"',
    });
    expect(await extractWithJq({ a: true }, '.a')).toEqual({
      value: null,
      reason: 'jq returned a boolean true',
    });
    expect(await extractWithJq({ a: [1] }, '.a')).toEqual({
      value: null,
      reason: 'jq returned an array [1]',
    });
    expect(await extractWithJq({ a: { b: 1 } }, '.a')).toEqual({
      value: null,
      reason: 'jq returned an object {"b":1}',
    });
  });

  it('takes the first output and ignores what follows it', async () => {
    expect(await extractWithJq({ a: [4, 5] }, '.a[]')).toEqual({ value: 4 });
    expect(await extractWithJq({}, '1, error("later")')).toEqual({ value: 1 });
    expect(await extractWithJq({}, 'repeat(7)')).toEqual({ value: 7 }); // endless, but only the first is read
  });

  it('reports runtime and compile errors without jq noise', async () => {
    expect(await extractWithJq({ a: 'x' }, '.a.b')).toEqual({
      value: null,
      reason: 'jq: error: Cannot index string with string "b"',
    });
    expect(await extractWithJq({}, 'error("boom")')).toEqual({ value: null, reason: 'jq: error: boom' });
    expect(await extractWithJq({}, '"stopped" | halt_error')).toEqual({ value: null, reason: 'jq: stopped' });
    expect(await extractWithJq({}, '.a | ')).toEqual({
      value: null,
      reason: 'jq: error: syntax error, unexpected end of file at line 1',
    });
    expect(await extractWithJq({}, 'nosuchfn(1)')).toEqual({
      value: null,
      reason: 'jq: error: nosuchfn/1 is not defined at line 1',
    });
  });

  it('does not let the wrapper complete an incomplete expression', async () => {
    // `. as $x` is invalid alone; followed by a pipe it would compile
    expect((await extractWithJq({}, '. as $x')).value).toBeNull();
    expect((await extractWithJq({ a: 1 }, '.a) | (.a')).value).toBeNull();
  });

  it('supports comments, definitions and multi-line expressions', async () => {
    expect(await extractWithJq({ a: 2 }, '.a # the value')).toEqual({ value: 2 });
    expect(await extractWithJq({ a: 2 }, 'def twice: . * 2;\n.a | twice')).toEqual({ value: 4 });
    expect(await extractWithJq({ a: [1, 2, 3] }, '.a as $xs | $xs | add / length')).toEqual({ value: 2 });
  });

  it('accepts any JSON document, including scalars and undefined', async () => {
    expect(await extractWithJq(5, '.')).toEqual({ value: 5 });
    expect(await extractWithJq('2.5', '.')).toEqual({ value: 2.5 });
    expect(await extractWithJq(undefined, '.')).toEqual({
      value: null,
      reason: 'jq returned null (empty result?)',
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect((await extractWithJq(cyclic, '.')).value).toBeNull();
  });

  it('refuses documents too large for jq-wasm instead of crashing', async () => {
    const big = { pad: 'x'.repeat(400 * 1024) };
    const result = await extractWithJq(big, '.pad | length');
    expect(result.value).toBeNull();
    expect('reason' in result && result.reason).toMatch(/^response of \d+ KiB is too large for jq/);
  });

  it('handles a 300 KiB document', async () => {
    const doc = {
      items: Array.from({ length: 7_000 }, (_, i) => ({ i, name: `item-${i}-${'y'.repeat(10)}` })),
    };
    expect(await extractWithJq(doc, '.items | map(.i) | add')).toEqual({ value: 24_496_500 });
  });

  it('does not see the real environment or file system', async () => {
    process.env.CANARY_JQ_TEST_SECRET = 'hidden';
    try {
      expect(await extractWithJq({}, '$ENV.CANARY_JQ_TEST_SECRET')).toEqual({
        value: null,
        reason: 'jq returned null (empty result?)',
      });
    } finally {
      delete process.env.CANARY_JQ_TEST_SECRET;
    }
  });
});

describe('checkJqSyntax', () => {
  it('accepts valid expressions without running them', async () => {
    expect(await checkJqSyntax('.data.result[0].value[1] | tonumber')).toBeUndefined();
    expect(await checkJqSyntax('error("would fail at run time")')).toBeUndefined();
    expect(await checkJqSyntax('def f: f; f')).toBeUndefined(); // would never end if run
    expect(await checkJqSyntax('.a # comment')).toBeUndefined();
    expect(await checkJqSyntax('def f: 1; f')).toBeUndefined();
    expect(await checkJqSyntax('input')).toBeUndefined();
  });

  it('returns the compile error', async () => {
    expect(await checkJqSyntax('.a | ')).toBe('syntax error, unexpected end of file at line 1');
    expect(await checkJqSyntax('.a |\n.b |')).toBe('syntax error, unexpected end of file at line 2');
    expect(await checkJqSyntax('foo, $bar')).toBe(
      'foo/0 is not defined at line 1; $bar is not defined at line 1',
    );
    expect(await checkJqSyntax('"abc')).toMatch(/^syntax error, unexpected end of file/);
    expect(await checkJqSyntax('. as $x')).toMatch(/^syntax error/);
    expect(await checkJqSyntax('   ')).toBe('the expression is empty');
  });
});

describe('parseNumericString', () => {
  it('accepts decimals and Go float spellings only', () => {
    expect(parseNumericString('3.5')).toBe(3.5);
    expect(parseNumericString(' -2e3 ')).toBe(-2000);
    expect(parseNumericString('.5')).toBe(0.5);
    expect(parseNumericString('NaN')).toBeNaN();
    expect(parseNumericString('+Inf')).toBe(Infinity);
    expect(parseNumericString('-Inf')).toBe(-Infinity);
    for (const text of ['', ' ', '0x10', '1_000', 'abc', '1.2.3', 'Infinityx']) {
      expect(parseNumericString(text)).toBeUndefined();
    }
  });
});

describe('jq runtime', () => {
  let savedExitCode: typeof process.exitCode;
  afterEach(() => {
    process.exitCode = savedExitCode;
  });

  it('survives more runs than one jq-wasm instance allows (~312)', async () => {
    const results = await Promise.all(
      Array.from({ length: 400 }, (_, i) => extractWithJq({ i, pad: 'z'.repeat(i) }, '.i')),
    );
    expect(results).toEqual(Array.from({ length: 400 }, (_, i) => ({ value: i })));
  });

  it('keeps concurrent runs apart', async () => {
    const runs = Array.from({ length: 60 }, (_, i) =>
      i % 2 === 0 ? extractWithJq({ n: i }, '.n') : extractWithJq({ n: i }, 'error("e\\(.n)")'),
    );
    const results = await Promise.all(runs);
    results.forEach((result, i) => {
      expect(result).toEqual(i % 2 === 0 ? { value: i } : { value: null, reason: `jq: error: e${i}` });
    });
  });

  it('leaves process.exitCode alone (jq-wasm sets it to jq exit status)', async () => {
    savedExitCode = process.exitCode;
    process.exitCode = 7;
    await extractWithJq({}, 'error("x")');
    expect(process.exitCode).toBe(7);
    await extractWithJq({ a: 1 }, '.a');
    expect(process.exitCode).toBe(7);
    process.exitCode = undefined;
    await runJq('error("x")', ['-n']);
    expect(process.exitCode).toBeUndefined();
  });

  it('recovers from a crashed instance (endless recursion exhausts wasm memory)', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined); // jq-wasm prints "Aborted()"
    const crashed = await extractWithJq({}, 'def f: 1 + f; f');
    printed.mockRestore();
    expect(crashed).toEqual({ value: null, reason: 'jq crashed: Aborted()' });
    expect(await extractWithJq({ a: 3 }, '.a')).toEqual({ value: 3 });
  });

  it('accounts for argument bytes in the leak estimate', () => {
    expect(estimateLeakedBytes('.a'.padEnd(10_000), [])).toBeGreaterThan(
      estimateLeakedBytes('.a', []) + 9_000,
    );
  });
});
