/** An experiment after normalization: defaults filled in, shorthands expanded, ids and dependencies explicit. */
export interface Experiment {
  apiVersion: 'canary/v1';
  kind: 'Experiment';
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: {
    schedule?: string;
    maxLoops?: number;
    /** Local result file retention (`canary run --keep` overrides it). */
    retention?: { keep: number };
    versions?: string[];
    concurrency: number;
    plugins?: Record<string, string>;
    tasks: TaskSpec[];
  };
}

export interface TaskSpec {
  id: string;
  task: string;
  with: Record<string, unknown>;
  /** Ids this task waits for; the previous task when the file gave none. */
  needs: string[];
  if?: string;
  timeout?: string;
  retries?: number;
}

export const defaultConcurrency = 4;

export function versionName(names: readonly string[] | undefined, index: number): string {
  return names?.[index] ?? `version-${index}`;
}
