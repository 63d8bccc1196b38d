/** Where an error happened and what it was, as Go's text/template reports it. */
export interface GoTemplateErrorDetails {
  templateName: string;
  /** 1-based line in the template source. */
  line: number;
  /** 1-based column (in characters) in the source, when known. */
  column?: number;
  /** The bare reason, e.g. the text passed to Sprig's `fail`. */
  reason: string;
  phase: 'parse' | 'execute';
}

/**
 * A parse or execution error with a message worded like Go's, e.g.
 * `template: NAME:12: unexpected "}" in operand`.
 */
export class GoTemplateError extends Error {
  readonly templateName: string;
  readonly line: number;
  readonly column: number | undefined;
  readonly reason: string;
  readonly phase: 'parse' | 'execute';

  constructor(message: string, details: GoTemplateErrorDetails) {
    super(message);
    this.name = 'GoTemplateError';
    this.templateName = details.templateName;
    this.line = details.line;
    this.column = details.column;
    this.reason = details.reason;
    this.phase = details.phase;
  }
}
