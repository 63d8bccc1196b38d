import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Go-style duration as Kubernetes and Iter8 values write them: `30s`, `1m30s`, `250ms`. */
export const DurationSchema = Type.String({
  pattern: '^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$',
  description: 'Go-style duration such as 30s, 1m30s, 250ms',
  examples: ['30s', '1m30s'],
});

const TaskIdSchema = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  description:
    'Unique id of the task (letters, digits, _ . -); defaults to the task name, plus an index when repeated',
});

export const TaskEntrySchema = Type.Object(
  {
    id: Type.Optional(TaskIdSchema),
    task: Type.Optional(
      Type.String({ minLength: 1, description: 'Task name: a built-in task or one of spec.plugins' }),
    ),
    run: Type.Optional(Type.String({ description: 'Iter8 shorthand for `task: run` with `with.script`' })),
    with: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Inputs of the task' })),
    needs: Type.Optional(
      Type.Array(TaskIdSchema, {
        uniqueItems: true,
        description: 'Ids of tasks this one waits for (default: the previous task)',
      }),
    ),
    if: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Condition (nunjucks expression) over `loop` and `values`; false skips the task',
      }),
    ),
    timeout: Type.Optional(DurationSchema),
    retries: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 10, description: 'Extra attempts after an execution error' }),
    ),
  },
  { additionalProperties: false },
);

export const ExperimentSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    apiVersion: Type.Literal('canary/v1'),
    kind: Type.Literal('Experiment'),
    metadata: Type.Object(
      {
        name: Type.String({
          pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
          maxLength: 63,
          description: 'Experiment name (lower-case letters, digits, - and .); names the result file',
        }),
        namespace: Type.Optional(Type.String({ minLength: 1 })),
        labels: Type.Optional(Type.Record(Type.String(), Type.String())),
      },
      { additionalProperties: false },
    ),
    spec: Type.Object(
      {
        schedule: Type.Optional(
          Type.String({
            description: 'Cron expression (5 fields, or 6 with seconds); absent means one loop',
          }),
        ),
        maxLoops: Type.Optional(Type.Integer({ minimum: 1, description: 'Stop after this many loops' })),
        retention: Type.Optional(
          Type.Object(
            {
              keep: Type.Integer({
                minimum: 1,
                description:
                  'Loops kept in full in the local result file; older ones are compacted into aggregates (pinned loops are always kept). `canary run --keep` overrides it',
              }),
            },
            { additionalProperties: false },
          ),
        ),
        versions: Type.Optional(
          Type.Array(Type.String({ minLength: 1 }), {
            minItems: 1,
            uniqueItems: true,
            description: 'Version names, in version-index order (default version-0, version-1, ...)',
          }),
        ),
        concurrency: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: 64,
            description: 'Tasks run at once when the DAG allows (default 4)',
          }),
        ),
        plugins: Type.Optional(
          Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]*$' }), Type.String({ minLength: 1 }), {
            description: 'User task plugins: task name -> JavaScript module path, relative to this file',
            additionalProperties: false,
          }),
        ),
        tasks: Type.Array(TaskEntrySchema, { minItems: 1 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type ExperimentInput = Static<typeof ExperimentSchema>;
export type TaskEntryInput = Static<typeof TaskEntrySchema>;

/**
 * The published schema: the experiment schema plus, for editors, each built-in task's input schema
 * attached to `with` through if/then on the task name.
 */
export function publishedExperimentSchema(taskSchemas: Record<string, TSchema>): Record<string, unknown> {
  const clone = JSON.parse(JSON.stringify(ExperimentSchema)) as Record<string, unknown>;
  const spec = (clone.properties as Record<string, Record<string, unknown>>).spec!;
  const tasks = (spec.properties as Record<string, Record<string, unknown>>).tasks!;
  const items = tasks.items as Record<string, unknown>;
  items.allOf = Object.entries(taskSchemas).map(([name, schema]) => ({
    if: { properties: { task: { const: name } }, required: ['task'] },
    then: { properties: { with: schema } },
  }));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://canary.dev/schemas/experiment.schema.json',
    title: 'canary experiment',
    ...clone,
  };
}
