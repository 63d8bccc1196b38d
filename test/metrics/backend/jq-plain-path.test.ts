import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkJqSyntax,
  extractManyWithJq,
  extractWithJq,
  extractWithJqRun,
} from '../../../src/metrics/backend/jq.js';
import { runJq } from '../../../src/metrics/backend/jq-runtime.js';
import { followPlainPath, parsePlainPath } from '../../../src/metrics/backend/jq-plain-path.js';
import { interpretCumulativeBuckets } from '../../../src/metrics/histogram-buckets.js';

const vector = (value: unknown) => ({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: {}, value: [1764170000.5, value] }] },
});

describe('parsePlainPath', () => {
  it('reads the paths templates use', () => {
    expect(parsePlainPath('.data.result[0].value[1] | tonumber')).toEqual({
      steps: ['data', 'result', 0, 'value', 1],
      toNumber: true,
    });
    // jq 1.7's `.[n]` after a name, as Iter8's templates write it
    expect(parsePlainPath(' .data.result.[0].value.[1]|tonumber ')).toEqual({
      steps: ['data', 'result', 0, 'value', 1],
      toNumber: true,
    });
    expect(parsePlainPath('.[2]')).toEqual({ steps: [2], toNumber: false });
  });

  it('leaves everything else to jq', () => {
    for (const expression of [
      '.',
      '.data.result[] | .value[1]',
      '.data.result[-1].value[1]',
      '.data | length',
      '.data.if',
      '.data["result"]',
      '.a | tonumber | . * 2',
      '.a.b # comment',
      '. a',
      '[.a]',
      'tonumber',
    ])
      expect(parsePlainPath(expression), expression).toBeUndefined();
  });
});

describe('followPlainPath', () => {
  const path = parsePlainPath('.data.result[0].value[1] | tonumber')!;

  it('answers a Prometheus vector without jq', () => {
    expect(followPlainPath(vector('3.5'), path)).toEqual({ output: 3.5 });
  });

  it('declines whatever jq might answer differently', () => {
    for (const document of [
      vector('NaN'),
      vector('+Inf'),
      vector(' 1'),
      vector('0x10'),
      vector('1e999'),
      vector(null),
      { data: { result: [] } },
      { data: { result: {} } },
      { data: null },
      [],
    ])
      expect(followPlainPath(document, path), JSON.stringify(document)).toBeUndefined();
  });
});

/** Documents built along a path, then sometimes broken, so that most runs get far along it. */
const leaf = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom('3.5', '-0', '1e3', '1e999', 'NaN', '+Inf', ' 1', '', '0x10', '007', '1.', '\ud800', 'abc'),
  fc.string(),
  fc.constantFrom(null, true, [], {}),
  fc.jsonValue(),
);
const stepArb = fc.oneof(fc.constantFrom('data', 'result', 'value', 'a'), fc.integer({ min: 0, max: 2 }));

function build(steps: ReadonlyArray<string | number>, value: unknown, breakAt: number): unknown {
  if (steps.length === 0) return value;
  const inner = build(steps.slice(1), value, breakAt - 1);
  const step = steps[0]!;
  if (breakAt === 0) return typeof step === 'number' ? { [String(step)]: inner } : [inner];
  if (typeof step === 'number') return [...Array.from({ length: step }, () => 0), inner];
  return { other: 1, [step]: inner };
}

function expressionOf(steps: ReadonlyArray<string | number>, dotted: boolean[], toNumber: boolean): string {
  const text = steps
    .map((step, i) => (typeof step === 'number' ? `${i === 0 || dotted[i] ? '.' : ''}[${step}]` : `.${step}`))
    .join('');
  return toNumber ? `${text} | tonumber` : text;
}

const caseArb = fc.record({
  steps: fc.array(stepArb, { minLength: 1, maxLength: 5 }),
  dotted: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  toNumber: fc.boolean(),
  value: leaf,
  breakAt: fc.integer({ min: -1, max: 5 }),
});

describe('the plain-path shortcut answers exactly as jq', () => {
  it('for one document', async () => {
    let shortcuts = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ steps, dotted, toNumber, value, breakAt }) => {
        const expression = expressionOf(steps, dotted, toNumber);
        expect(parsePlainPath(expression)).toBeDefined();
        const document = build(steps, value, breakAt);
        if (followPlainPath(document, parsePlainPath(expression)!)) shortcuts++;
        expect(await extractWithJq(document, expression)).toEqual(
          await extractWithJqRun(document, expression),
        );
      }),
      { numRuns: 300, seed: 20261126 },
    );
    // Both sides of the shortcut were exercised.
    expect(shortcuts).toBeGreaterThan(50);
    expect(shortcuts).toBeLessThan(250);
  });

  it('for a batch where some documents take the shortcut and some go to jq', async () => {
    const expression = '.data.result[0].value[1] | tonumber';
    const documents = [vector('1'), vector('NaN'), { data: { result: [] } }, vector('2.5'), vector(7), null];
    const one = await Promise.all(documents.map((d) => extractWithJqRun(d, expression)));
    expect(await extractManyWithJq(documents, expression)).toEqual(one);
    expect(one.map((r) => r.value)).toEqual([1, null, null, 2.5, 7, null]);
  });

  it('with an interpreter other than numbers', async () => {
    const expression = '.data.result[0].value[1]';
    for (const document of [vector('3'), vector([1, 2])])
      expect(await extractWithJq(document, expression, interpretCumulativeBuckets)).toEqual(
        await extractWithJqRun(document, expression, interpretCumulativeBuckets),
      );
  });
});

describe('validate trusts plain paths without starting jq', () => {
  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
  const step = fc.oneof(name, fc.integer({ min: 0, max: 999_999_999 }));

  it('every expression parsePlainPath accepts is one jq compiles', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.boolean(),
        fc.constantFrom('', ' ', '  \t'),
        async (steps, dotted, toNumber, padding) => {
          const expression = `${padding}${expressionOf(steps, dotted, toNumber)}${padding}`;
          fc.pre(parsePlainPath(expression) !== undefined);
          const compiled = await runJq(`empty | ${expression}`, ['-n', '-c']);
          expect(compiled.kind, expression).not.toBe('error');
          expect(await checkJqSyntax(expression)).toBeUndefined();
        },
      ),
      { numRuns: 120, seed: 11 },
    );
  });

  it('anything else still goes to jq, which names the mistake', async () => {
    expect(await checkJqSyntax('.data.result[0].value[1] | tonumbr')).toMatch(/tonumbr/);
    expect(await checkJqSyntax('.data.[0')).toMatch(/syntax error/);
  });
});
