import { publishedExperimentSchema } from '../config/experiment-schema.js';
import { ReportSchema } from '../report/report-schema.js';
import { DiffSchema } from '../diff/diff-schema.js';
import { builtinTaskTable, builtinTasks } from '../tasks/registry.js';

/**
 * The committed files under schemas/, generated from the schemas the code uses (so they cannot
 * drift: a test compares them). Regenerate with `npm run schemas`.
 */
export function publishedSchemas(): Record<string, unknown> {
  const taskSchemas = Object.fromEntries(
    Object.entries(builtinTaskTable).map(([name, definition]) => [name, definition.inputSchema]),
  );
  const files: Record<string, unknown> = {
    'experiment.schema.json': publishedExperimentSchema(taskSchemas),
    'report.schema.json': {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'https://canary.dev/schemas/report.schema.json',
      title: 'canary report (canary report -o json)',
      ...ReportSchema,
    },
    'diff.schema.json': {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'https://canary.dev/schemas/diff.schema.json',
      title: 'canary diff (canary diff -o json)',
      ...DiffSchema,
    },
  };
  for (const [name, definition] of Object.entries(builtinTasks)) {
    files[`tasks/${name}.schema.json`] = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `https://canary.dev/schemas/tasks/${name}.schema.json`,
      title: `canary task ${name}: inputs (with)`,
      description: definition.description,
      ...definition.inputSchema,
    };
  }
  return files;
}

export function serializeSchema(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
