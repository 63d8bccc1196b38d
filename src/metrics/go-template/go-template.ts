/** Parse once, execute many: a Go text/template with Sprig functions, as Iter8 configures it. */
import { Execution } from './executor.js';
import { functionStatus, templateFunctions } from './function-registry.js';
import { GoTemplateError } from './go-template-error.js';
import { ParseFailure, parseTemplateSource, type TreeSet } from './parser.js';

export class GoTemplate {
  readonly name: string;
  private readonly source: string;
  private readonly trees: TreeSet;

  constructor(source: string, name: string, trees: TreeSet) {
    this.source = source;
    this.name = name;
    this.trees = trees;
  }

  /** Renders with the given data (JSON-like values; wrap Go ints in GoInt). Throws GoTemplateError. */
  execute(data: unknown): string {
    const execution = new Execution(
      { source: this.source, parseName: this.name, trees: this.trees, functions: templateFunctions },
      this.name,
    );
    return execution.run(data);
  }

  /** Names of the templates defined in this source (the top level, defines and blocks). */
  templateNames(): string[] {
    return [...this.trees.keys()];
  }
}

function columnOf(source: string, pos: number): number {
  return pos - (source.lastIndexOf('\n', pos - 1) + 1) + 1;
}

/** Parses a template; throws GoTemplateError worded like Go's parse errors. */
export function parseGoTemplate(source: string, name: string): GoTemplate {
  try {
    return new GoTemplate(source, name, parseTemplateSource(source, { name, functionStatus }));
  } catch (error) {
    if (error instanceof ParseFailure) {
      throw new GoTemplateError(error.message, {
        templateName: name,
        line: error.line,
        column: columnOf(source, error.pos),
        reason: error.reason,
        phase: 'parse',
      });
    }
    throw error;
  }
}

export function renderGoTemplate(source: string, name: string, data: unknown): string {
  return parseGoTemplate(source, name).execute(data);
}
