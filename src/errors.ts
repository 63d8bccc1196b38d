import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import type { Diagnostic } from './config/diagnostics.js';

/** The one error type the CLI turns into a message and an exit code; anything else is a bug. */
export class CanaryError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hints: string[];

  constructor(
    message: string,
    options: { exitCode?: ExitCodeValue; hints?: string[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'CanaryError';
    this.exitCode = options.exitCode ?? ExitCode.executionError;
    this.hints = options.hints ?? [];
  }
}

/** A user mistake on the command line. */
export class UsageError extends CanaryError {
  constructor(message: string, hints: string[] = []) {
    super(message, { exitCode: ExitCode.usage, hints });
    this.name = 'UsageError';
  }
}

/** An experiment that cannot run; carries every diagnostic, not only the first. */
export class ConfigError extends CanaryError {
  readonly diagnostics: Diagnostic[];
  /** Lines of the source, for excerpts under each diagnostic. */
  readonly sourceLines: readonly string[];

  constructor(diagnostics: Diagnostic[], sourceLines: readonly string[] = []) {
    super('the experiment is invalid', {
      exitCode: ExitCode.invalidExperiment,
    });
    this.name = 'ConfigError';
    this.diagnostics = diagnostics;
    this.sourceLines = sourceLines;
  }
}

/**
 * Raised by a task. `failure`: the task ran and judged the outcome bad (a script exited non-zero).
 * `error`: the task could not do its job (unreachable service, timeout) — exit code 4, not 1.
 */
export class TaskError extends Error {
  readonly kind: 'failure' | 'error';

  constructor(message: string, kind: 'failure' | 'error' = 'error', options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TaskError';
    this.kind = kind;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
