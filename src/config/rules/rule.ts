import type { Diagnostic, PathSegment } from '../diagnostics.js';
import type { Experiment } from '../experiment.js';
import type { TaskRegistry } from '../../tasks/registry.js';

/** Builds a diagnostic at a document path (its line and column, when the document has positions). */
export type At = (
  path: PathSegment[],
  message: string,
  extra?: Partial<Diagnostic>,
  key?: boolean,
) => Diagnostic;

/** A task as written, before normalization fills in ids and dependencies. */
export interface RawTask {
  id?: string;
  task?: string;
  run?: string;
  with?: Record<string, unknown>;
  needs?: string[];
  if?: string;
  timeout?: string;
  retries?: number;
}

export interface RawExperiment {
  metadata: Experiment['metadata'];
  spec: Omit<Experiment['spec'], 'tasks' | 'concurrency'> & { concurrency?: number; tasks: RawTask[] };
}

/** What every rule may read. */
export interface RuleContext {
  experiment: Experiment;
  /** The experiment as written: rules that point at what the user wrote (or left out) read it. */
  raw: RawExperiment;
  registry: TaskRegistry;
  /** For tasks' own input checks. */
  checkContext: { experimentDir: string; env: Readonly<Record<string, string | undefined>> };
  values: Record<string, unknown>;
  at: At;
  /** Diagnostics of the rules before this one: some rules stay quiet where an earlier one spoke. */
  found: readonly Diagnostic[];
}

/** One named check of a well-shaped experiment (changesets' rules.ts style). */
export interface Rule {
  name: string;
  check(context: RuleContext): Diagnostic[] | Promise<Diagnostic[]>;
}

/** A task states what it is: exactly one of `task: NAME` and `run: SCRIPT`. Other rules skip the rest. */
export function statesItsKind(task: RawTask): boolean {
  return (task.task === undefined) !== (task.run === undefined);
}
