import { Command, Errors, Flags } from '@oclif/core';
import { CanaryError, ConfigError } from '../errors.js';
import { formatExitCodeTable } from '../exit-codes.js';
import { findClosest } from './suggest-command.js';
import { ExitCode } from '../exit-codes.js';
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
    // Parse errors carry `parse`; a flag value that fails its own parser says "Parsing --flag".
    if (error instanceof Errors.CLIError && ('parse' in error || error.message.startsWith('Parsing --'))) {
      return this.reportFlagError(error);
    }
    if (error instanceof CanaryError) {
      this.logToStderr(`canary: ${error.message}`);
      for (const hint of error.hints) this.logToStderr(`  hint: ${hint}`);
      return this.exit(error.exitCode);
    }
    return super.catch(error);
  }

  /**
   * oclif's parse errors (unknown flag, bad value, missing argument) in canary's format: one line,
   * a hint, exit 2; an unknown flag gets the nearest one.
   */
  private reportFlagError(error: Errors.CLIError & { flags?: unknown }): never {
    const message = error.message
      .replace(/\nSee more help with --help\s*$/, '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .join(': ')
      .replace(
        /^Parsing (--[\w-]+)\s*: (\w)/,
        (_, flag: string, first: string) => `${flag}: ${first.toLowerCase()}`,
      );
    this.logToStderr(`canary: ${message.charAt(0).toLowerCase()}${message.slice(1)}`);
    const known = Object.entries(this.ctor.flags ?? {}).flatMap(([name, flag]) => [
      `--${name}`,
      ...(flag.char ? [`-${flag.char}`] : []),
    ]);
    const unknown = Array.isArray(error.flags) ? error.flags.filter((f) => typeof f === 'string') : [];
    for (const flag of unknown) {
      const closest = findClosest(
        flag.replace(/=.*/, ''),
        known.filter((k) => k.startsWith('--')),
      );
      if (closest !== undefined) this.logToStderr(`  hint: did you mean ${closest}?`);
    }
    this.logToStderr(
      `  hint: canary ${this.id?.replaceAll(':', ' ') ?? ''} --help lists its flags and arguments`,
    );
    return this.exit(ExitCode.usage);
  }
}
