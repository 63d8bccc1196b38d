import { Args } from '@oclif/core';
import { CanaryCommand } from '../base-command.js';
import { UsageError } from '../../errors.js';

export default class Schema extends CanaryCommand {
  static override summary =
    'Print a JSON Schema: the experiment (default), the JSON report, the JSON diff, or a task';
  static override description =
    'Prints the schemas committed under schemas/ (generated from the code): experiment.schema.json, the contract of experiment files; report.schema.json, the contract of `canary report -o json`; diff.schema.json, the contract of `canary diff -o json`; and tasks/NAME.schema.json, the inputs (`with`) of a built-in task.';
  static override examples = [
    '<%= config.bin %> schema > experiment.schema.json',
    '<%= config.bin %> schema report',
    '<%= config.bin %> schema task http',
  ];
  static override args = {
    kind: Args.string({
      description: 'Which schema',
      options: ['experiment', 'report', 'diff', 'task'],
      default: 'experiment',
    }),
    name: Args.string({ description: 'Task name (with `task`)' }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Schema);
    const { publishedSchemas, serializeSchema } = await import('../../schemas/published-schemas.js');
    const schemas = publishedSchemas();
    const file = chooseSchemaFile(args.kind, args.name, Object.keys(schemas));
    process.stdout.write(serializeSchema(schemas[file]));
  }
}

/** The file name in publishedSchemas() for the arguments; a usage error names the choices. */
function chooseSchemaFile(kind: string, name: string | undefined, files: readonly string[]): string {
  const tasks = files.flatMap((f) => /^tasks\/(.+)\.schema\.json$/.exec(f)?.[1] ?? []);
  const taskHint = `tasks: ${tasks.join(', ')}`;
  if (kind !== 'task') {
    if (name !== undefined) throw new UsageError(`unexpected argument "${name}" after "${kind}"`);
    return `${kind}.schema.json`;
  }
  if (name === undefined) throw new UsageError('which task? canary schema task NAME', [taskHint]);
  if (!tasks.includes(name)) throw new UsageError(`no built-in task "${name}"`, [taskHint]);
  return `tasks/${name}.schema.json`;
}
