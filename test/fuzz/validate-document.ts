/**
 * Runs one fuzz document through exactly what `canary validate` runs (values, then loadExperiment,
 * then diagnostic formatting), in-process, and classifies the outcome. Anything but "valid",
 * "invalid with positioned diagnostics" or "usage error for a bad --set/-f" is a finding.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectValues } from '../../src/config/values-input.js';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { formatDiagnostic, hasErrors, type Diagnostic } from '../../src/config/diagnostics.js';
import { CanaryError, UsageError } from '../../src/errors.js';
import { HangWatchdog } from './hang-watchdog.js';
import { repoRoot } from './fuzz-seeds.js';

export interface FuzzDocument {
  /** The experiment's text; absent: built from values alone, as `canary validate --set ...` does. */
  text?: string | Uint8Array;
  /** Validate this path (relative to the workspace, or absolute) instead of the written text. */
  path?: string;
  sets?: string[];
  setStrings?: string[];
  /** Contents of `-f` files, in order. */
  valuesFiles?: string[];
  /** Files the experiment refers to (provider templates), by name, written beside it. */
  files?: Record<string, string>;
}

export type Outcome =
  | { kind: 'valid'; diagnostics: Diagnostic[]; sourceLines: string[] }
  | { kind: 'invalid'; diagnostics: Diagnostic[]; sourceLines: string[] }
  | { kind: 'usage'; message: string };

/** A document that broke a promise of `canary validate`: the thing to report and fix. */
export class FuzzFinding extends Error {
  constructor(
    readonly what: 'crash' | 'hang' | 'unpositioned' | 'bad message',
    detail: string,
  ) {
    super(`${what}: ${detail}`);
    this.name = 'FuzzFinding';
  }
}

/** Per document; far above the few milliseconds one takes, even on a loaded machine. */
export const DOCUMENT_DEADLINE_MS = 10_000;

/** A stack frame line, as Node prints them: the sign of an error that escaped to the user. */
const STACK_LINE = /\n\s+at .+(\(|:\d+:\d+)/;

/**
 * A scratch directory shaped like the repository where it matters: documents are written to
 * `experiments/`, next to `plugins/` and `experiments/quickstart/`, so relative references in the
 * seeds (plugins, scripts) resolve as they do for the shipped files.
 */
export class FuzzWorkspace {
  readonly root: string;
  readonly documentDir: string;
  readonly file = 'experiments/fuzz.yaml';
  private readonly watchdog: HangWatchdog;
  private valueFileCount = 0;
  private wroteArguments = false;

  constructor(readonly seed: number) {
    this.root = mkdtempSync(path.join(scratchDir(), 'canary-fuzz-'));
    this.documentDir = path.join(this.root, 'experiments');
    mkdirSync(this.documentDir);
    mkdirSync(path.join(this.root, 'cache'));
    symlinkSync(path.join(repoRoot, 'plugins'), path.join(this.root, 'plugins'));
    symlinkSync(path.join(repoRoot, 'experiments', 'quickstart'), path.join(this.documentDir, 'quickstart'));
    this.watchdog = new HangWatchdog({
      limitMs: DOCUMENT_DEADLINE_MS * 2,
      reportFile: path.join(os.tmpdir(), `canary-fuzz-hang-${seed}.txt`),
      documentDir: this.documentDir,
    });
  }

  /** The environment tasks' checks see: offline, with a private template cache. */
  get env(): Record<string, string> {
    return { CANARY_OFFLINE: '1', CANARY_CACHE_DIR: path.join(this.root, 'cache') };
  }

  /** Writes the document's files and returns the `validate` arguments that name them. */
  write(document: FuzzDocument): { file?: string; valuesFiles: string[] } {
    for (let i = 0; i < this.valueFileCount; i++)
      unlinkIfPresent(path.join(this.documentDir, `values-${i}.yaml`));
    const valuesFiles = (document.valuesFiles ?? []).map((text, i) => {
      writeFileSync(path.join(this.documentDir, `values-${i}.yaml`), text);
      return `experiments/values-${i}.yaml`;
    });
    this.valueFileCount = valuesFiles.length;
    // The watchdog's report needs the arguments too; most documents have none.
    const about = path.join(this.documentDir, 'arguments.json');
    if (document.sets?.length || document.setStrings?.length) {
      writeFileSync(about, JSON.stringify({ sets: document.sets, setStrings: document.setStrings }));
    } else if (this.wroteArguments) {
      unlinkIfPresent(about);
    }
    this.wroteArguments = Boolean(document.sets?.length || document.setStrings?.length);
    for (const [name, text] of Object.entries(document.files ?? {}))
      writeFileSync(path.join(this.documentDir, name), text);
    if (document.path !== undefined) return { file: document.path, valuesFiles };
    if (document.text === undefined) {
      unlinkIfPresent(path.join(this.root, this.file));
      return { valuesFiles };
    }
    writeFileSync(path.join(this.root, this.file), document.text);
    return { file: this.file, valuesFiles };
  }

  /** Validates one document in-process under a deadline; throws a FuzzFinding for anything wrong. */
  async validate(document: FuzzDocument): Promise<Outcome> {
    const { file, valuesFiles } = this.write(document);
    this.watchdog.start();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new FuzzFinding('hang', `no outcome within ${DOCUMENT_DEADLINE_MS} ms`)),
        DOCUMENT_DEADLINE_MS,
      );
    });
    try {
      const outcome = await Promise.race([this.validateNow(file, valuesFiles, document), deadline]);
      checkOutcome(outcome, file, document);
      return outcome;
    } finally {
      clearTimeout(timer);
      this.watchdog.stop();
    }
  }

  private async validateNow(
    file: string | undefined,
    valuesFiles: string[],
    document: FuzzDocument,
  ): Promise<Outcome> {
    try {
      const values = await collectValues(this.root, {
        files: valuesFiles,
        sets: document.sets ?? [],
        setStrings: document.setStrings ?? [],
      });
      const loaded = await loadExperiment({
        ...(file !== undefined ? { file } : {}),
        cwd: this.root,
        values,
        env: this.env,
      });
      // What `validate` prints: formatting must not fail either.
      for (const d of loaded.diagnostics) formatDiagnostic(d, loaded.sourceLines);
      const valid = !hasErrors(loaded.diagnostics);
      if (valid && (!loaded.experiment || !loaded.plan)) {
        throw new FuzzFinding('crash', 'no errors, yet no experiment or plan');
      }
      return {
        kind: valid ? 'valid' : 'invalid',
        diagnostics: loaded.diagnostics,
        sourceLines: loaded.sourceLines,
      };
    } catch (error) {
      if (error instanceof FuzzFinding) throw error;
      if (error instanceof UsageError) return { kind: 'usage', message: error.message };
      const shown = error instanceof Error ? (error.stack ?? error.message) : String(error);
      const kind = error instanceof CanaryError ? 'CanaryError outside the documented paths' : 'uncaught';
      throw new FuzzFinding('crash', `${kind}: ${shown}`);
    }
  }

  async close(): Promise<void> {
    await this.watchdog.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Memory-backed when the system has it: ten thousand small writes on a busy disk cost seconds. */
function scratchDir(): string {
  return process.env.FUZZ_TMPDIR ?? (existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // absent already
  }
}

/** The promises of `canary validate` about its output, checked on one outcome. */
export function checkOutcome(outcome: Outcome, file: string | undefined, document: FuzzDocument): void {
  if (outcome.kind === 'usage') {
    const hasValueInput =
      (document.sets?.length ?? 0) +
        (document.setStrings?.length ?? 0) +
        (document.valuesFiles?.length ?? 0) >
      0;
    if (!hasValueInput) throw new FuzzFinding('crash', `usage error without --set or -f: ${outcome.message}`);
    checkMessage(outcome.message);
    return;
  }
  if (outcome.kind === 'invalid' && !hasErrors(outcome.diagnostics)) {
    throw new FuzzFinding('crash', 'invalid without an error diagnostic');
  }
  const lineCount = outcome.sourceLines.length;
  for (const d of outcome.diagnostics) {
    checkMessage(d.message);
    if (d.hint !== undefined) checkMessage(d.hint);
    const shown = `${d.file}:${d.line}:${d.column} ${d.path}: ${d.message}`;
    if (file === undefined) {
      // Values-only experiments have no file: `--set` is where the problem is.
      if (d.file !== '--set') throw new FuzzFinding('unpositioned', `expected --set as the source: ${shown}`);
      continue;
    }
    if (d.file !== file) throw new FuzzFinding('unpositioned', `wrong file: ${shown}`);
    // A file that could not be read at all (missing, a directory, too large) has no place inside.
    if (lineCount === 0 && d.line === 0 && d.column === 0 && outcome.diagnostics.length === 1) continue;
    const inside =
      Number.isInteger(d.line) &&
      Number.isInteger(d.column) &&
      d.line >= 1 &&
      d.column >= 1 &&
      (lineCount === 0 || d.line <= lineCount + 1);
    if (!inside) throw new FuzzFinding('unpositioned', `no position inside the file: ${shown}`);
  }
}

function checkMessage(message: string): void {
  if (typeof message !== 'string' || message.trim() === '') {
    throw new FuzzFinding('bad message', `empty message ${JSON.stringify(message)}`);
  }
  if (STACK_LINE.test(message)) throw new FuzzFinding('bad message', `stack trace in a message: ${message}`);
  // Quoted parts repeat the user's own values, which may say anything.
  const ours = message.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  if (/\[object Object\]|\bundefined is not\b|Cannot read propert|is not a function/.test(ours)) {
    throw new FuzzFinding('bad message', `an internal error leaked: ${message}`);
  }
}
