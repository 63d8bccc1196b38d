import { Command, Flags } from '@oclif/core';
import { CanaryError, ConfigError } from '../errors.js';
import { formatExitCodeTable } from '../exit-codes.js';
import { formatDiagnostic, summarizeDiagnostics, type Diagnostic } from '../config/diagnostics.js';

/** Shared flags for commands that read an experiment. */
export const valueFlags = {
  set: Flags.string({
    description: 'Set a value, Helm style: key=value, a.b[0].c=value, list={a,b} (repeatable)',
    multiple: true,
    default: [],
  }),
  'set-string': Flags.string({
    description: 'Like --set, but values stay strings',
    multiple: true,
    default: [],
  }),
  values: Flags.string({
    char: 'f',
    description: 'Values YAML file (repeatable; later files win)',
    multiple: true,
    default: [],
  }),
  name: Flags.string({
    description:
      'Experiment name where the input gives none: an Iter8-shaped file (default: from the file name) or values (default: values.name, else "default")',
  }),
};

export const exitCodeHelp = `EXIT CODES\n${formatExitCodeTable()}`;

/**
 * Turns CanaryErrors into messages and exit codes, once, here. Anything else is a bug and keeps
 * its stack trace.
 */
export abstract class CanaryCommand extends Command {
  protected printDiagnostics(diagnostics: readonly Diagnostic[], sourceLines: readonly string[] = []): void {
    for (const diagnostic of diagnostics) this.logToStderr(formatDiagnostic(diagnostic, sourceLines));
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof ConfigError) {
      this.printDiagnostics(error.diagnostics, error.sourceLines);
      this.logToStderr(`canary: ${error.message} (${summarizeDiagnostics(error.diagnostics)})`);
      return this.exit(error.exitCode);
    }
    if (error instanceof CanaryError) {
      this.logToStderr(`canary: ${error.message}`);
      for (const hint of error.hints) this.logToStderr(`  hint: ${hint}`);
      return this.exit(error.exitCode);
    }
    return super.catch(error);
  }
}
