import path from 'node:path';
import { UsageError } from '../errors.js';
import { readTextFile } from './read-text-file.js';
import { readYamlSource } from './yaml-source.js';
import { mergeValues, valuesFromSetArguments, SetSyntaxError } from './set-values.js';

/** Values from `-f` files (in order) and then `--set`/`--set-string`; user mistakes are usage errors. */
export async function collectValues(
  cwd: string,
  options: { files: readonly string[]; sets: readonly string[]; setStrings: readonly string[] },
): Promise<Record<string, unknown>> {
  let values: Record<string, unknown> = {};
  for (const file of options.files) {
    const read = await readTextFile(path.resolve(cwd, file));
    if (!read.ok) {
      const where = read.position ? `:${read.position.line}:${read.position.column}` : '';
      throw new UsageError(
        `cannot read values file ${file}${where}: ${read.message}`,
        read.hint ? [read.hint] : [],
      );
    }
    const text = read.text;
    // The experiment's reader: the same limits on nesting, aliases and size of work.
    const source = readYamlSource(file, text);
    const error = source.diagnostics.find((d) => d.severity === 'error');
    if (error) {
      throw new UsageError(
        `values file ${file}:${error.line}:${error.column} is not valid YAML: ${error.message.replace(/^YAML: /, '')}`,
        error.hint ? [error.hint] : [],
      );
    }
    const parsed = source.value;
    if (parsed === null || parsed === undefined) continue;
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new UsageError(`values file ${file} must hold a YAML map of values`);
    }
    values = mergeValues(values, parsed as Record<string, unknown>);
  }
  try {
    return mergeValues(values, valuesFromSetArguments([...options.sets], [...options.setStrings]));
  } catch (error) {
    if (error instanceof SetSyntaxError) {
      const pointer = `${' '.repeat(error.column - 1)}^`;
      throw new UsageError(
        `invalid ${error.flag} ${JSON.stringify(error.argument)}: ${error.detail} (at column ${error.column})\n    ${error.argument}\n    ${pointer}`,
        error.hint ? [error.hint] : [],
      );
    }
    throw error;
  }
}
