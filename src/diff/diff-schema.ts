import { Type, type Static } from '@sinclair/typebox';

/** `canary diff -o json`: a documented, stable contract (`schemas/diff.schema.json`). */
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const Status = Type.Union(
  ['pass', 'fail', 'nodata', 'insufficient-data', 'inconclusive'].map((s) => Type.Literal(s)),
);

export const DiffSideSchema = Type.Object(
  {
    file: Type.String(),
    experiment: Type.String({ description: 'Experiment name from the header ("unknown" without one)' }),
    loop: Type.Integer(),
    start: Type.String(),
    end: Type.String(),
    status: Type.String({ description: 'Loop status: completed, failed, error, interrupted' }),
    pin: Type.Optional(Type.String({ description: 'The pin this side was chosen by' })),
    invalid: Type.Optional(
      Type.String({ description: 'The loop is marked invalid (asked for by number): the reason' }),
    ),
  },
  { additionalProperties: false },
);

export const SloChangeSchema = Type.Union(
  ['regressed', 'fixed', 'changed', 'added', 'removed', 'unchanged'].map((s) => Type.Literal(s)),
  {
    description:
      'regressed: pass -> fail; fixed: fail -> pass; changed: any other status change; added/removed: the SLO is on one side only',
  },
);

export const DiffSchema = Type.Object(
  {
    format: Type.Literal('canary.diff/v1'),
    a: DiffSideSchema,
    b: DiffSideSchema,
    versions: Type.Array(
      Type.Object(
        {
          name: Type.String({ description: 'Version name; versions are matched by name, not index' }),
          slos: Type.Array(
            Type.Object(
              {
                slo: Type.String({
                  description: 'Key matching the SLO on both sides: `metric op`, plus its kind',
                }),
                metric: Type.String(),
                op: Type.Union([Type.Literal('<='), Type.Literal('>=')]),
                change: SloChangeSchema,
                statusA: Type.Union([Status, Type.Null()], { description: 'null: not on this side' }),
                statusB: Type.Union([Status, Type.Null()]),
                limitA: NullableNumber,
                limitB: NullableNumber,
                valueA: NullableNumber,
                valueB: NullableNumber,
                gateB: Type.Optional(
                  Type.String({
                    description: "B's effect on the exit code (pass, fail, inconclusive, warn, observe)",
                  }),
                ),
              },
              { additionalProperties: false },
            ),
            { description: 'Changes first (regressed, fixed, changed, added, removed), then unchanged' },
          ),
          metrics: Type.Array(
            Type.Object(
              {
                metric: Type.String(),
                a: Type.Union([Type.Number(), Type.Null()], {
                  description: 'null: no value, or not recorded',
                }),
                b: NullableNumber,
                change: Type.Union([Type.Number(), Type.Null()], { description: 'b - a' }),
                relativeChange: Type.Union([Type.Number(), Type.Null()], {
                  description: '(b - a) / |a|; null when a is 0 or either value is missing',
                }),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
      { description: 'Versions present on both sides' },
    ),
    onlyInA: Type.Array(Type.String(), { description: 'Versions of A that B does not have' }),
    onlyInB: Type.Array(Type.String(), { description: 'Versions of B that A does not have' }),
    summary: Type.Object(
      {
        regressed: Type.Integer({ minimum: 0 }),
        fixed: Type.Integer({ minimum: 0 }),
        changed: Type.Integer({ minimum: 0 }),
        added: Type.Integer({ minimum: 0 }),
        removed: Type.Integer({ minimum: 0 }),
        unchanged: Type.Integer({ minimum: 0 }),
        gatingRegressions: Type.Integer({
          minimum: 0,
          description: 'Regressed SLOs whose B verdict gates (counts for --fail-on-regression)',
        }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type Diff = Static<typeof DiffSchema>;
export type DiffSide = Static<typeof DiffSideSchema>;
export type SloChange = Static<typeof SloChangeSchema>;
export type DiffVersion = Diff['versions'][number];
