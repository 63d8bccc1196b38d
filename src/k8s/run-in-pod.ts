/**
 * What a Job or CronJob pod does: read the group's compiled experiment, validate it again (the
 * Secret may have been edited, or written by another canary version), run one loop, and append it
 * to the group's result store. The loop is numbered after the store's last one, so every cron
 * tick continues the same history.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { CanaryError, ConfigError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { formatDiagnostic, hasErrors } from '../config/diagnostics.js';
import { loadExperiment } from '../config/load-experiment.js';
import type { Experiment } from '../config/experiment.js';
import { runExperiment } from '../engine/run-experiment.js';
import type { RunEvent, RunObserver } from '../engine/events.js';
import { hashExperiment } from '../results/result-file.js';
import { redactUrlUserinfoDeep, withoutUrlUserinfo } from '../util/url-secrets.js';
import { resultFormat, type HeaderRecord, type LoopRecord } from '../results/records.js';
import {
  appendHeader,
  appendLoop,
  experimentStartOf,
  lastLoopOf,
  loopsInSegment,
  needsHeader,
  toResultHistory,
  type ClusterStore,
} from '../results/cluster-store.js';
import { pinnedLoop } from '../results/marks.js';
import { toolVersion } from '../version.js';
import { abortableOptions } from './abortable-requests.js';
import { classifyApiFailure } from './api-failure.js';
import { experimentKey } from './group-names.js';
import { layOutPodFiles, type PodLayout } from './pod-files.js';
import {
  explainApiError,
  readGroupStoreOrEmpty,
  updateGroupStore,
  type GroupTarget,
  type UpdateOutcome,
} from './group-results.js';

export interface RunInPodOptions {
  target: GroupTarget;
  /** Environment for tasks, and POD_NAME (else HOSTNAME, which is the pod name in a pod). */
  env: Readonly<Record<string, string | undefined>>;
  /** Aborts the loop (SIGTERM): the loop is still recorded, as interrupted. */
  signal: AbortSignal;
  /** Progress lines (the pod's log). */
  log: (line: string) => void;
  /** Loops kept in full in the store. */
  keep?: number;
  /** Observers besides the store writer (console progress). */
  observers?: RunObserver[];
}

export type RunInPodOutcome =
  | { status: 'recorded'; record: LoopRecord; experiment: Experiment; pod?: string; write: UpdateOutcome }
  | { status: 'skipped'; reason: string };

/** How long recording may take, apart from the loop's own signal (a SIGTERM must not stop the write). */
const writeTimeoutMs = 60_000;

export async function runInPod(options: RunInPodOptions): Promise<RunInPodOutcome> {
  const { target } = options;
  const compiled = await readCompiledExperiment(target, options.signal);
  const workDir = await mkdtemp(path.join(os.tmpdir(), `canary-${target.names.group}-`));
  try {
    const experimentDir = await layOutFiles(compiled, workDir, options.env);
    const ready = await validateCompiled(compiled, experimentDir, target, options);
    const hash = hashExperiment(ready.experiment);
    const store = await readGroupStoreOrEmpty(target, options.signal);
    const maxLoops = ready.plan.maxLoops;
    if (maxLoops !== undefined && !needsHeader(store, hash) && loopsInSegment(store) >= maxLoops) {
      return { status: 'skipped', reason: `spec.maxLoops (${maxLoops}) reached: no loop to run` };
    }
    const start = experimentStartOf(store, hash);
    const previous = needsHeader(store, hash)
      ? undefined
      : store.loops.findLast((loop) => loop.experimentHash === hash);
    const pod = options.env['POD_NAME'] || options.env['HOSTNAME'] || undefined;
    const recorder = new ClusterStoreObserver({
      target,
      experiment: ready.experiment,
      experimentHash: hash,
      source: `secret ${target.namespace}/${target.names.experimentSecret}`,
      ...(pod !== undefined ? { pod } : {}),
      ...(options.keep !== undefined ? { keep: options.keep } : {}),
      ...(maxLoops !== undefined ? { maxLoops } : {}),
    });
    await runExperiment({
      plan: ready.plan,
      registry: ready.registry,
      experimentHash: hash,
      experimentDir,
      values: ready.values,
      firstLoop: lastLoopOf(store) + 1,
      ...(previous !== undefined ? { previousLoop: previous } : {}),
      ...(start !== undefined ? { experimentStart: new Date(start) } : {}),
      env: options.env,
      pinnedLoop: (name: string) =>
        pinnedLoop(toResultHistory(store, `secret ${target.names.resultsSecret}`), name),
      loops: 1,
      signal: options.signal,
      observers: [...(options.observers ?? []), recorder],
    });
    if (!recorder.recorded || !recorder.write) {
      throw new CanaryError('the loop ended without a record to store');
    }
    return {
      status: 'recorded',
      record: recorder.recorded,
      experiment: ready.experiment,
      ...(pod !== undefined ? { pod } : {}),
      write: recorder.write,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The experiment Secret's JSON: the experiment itself, or `{experiment, values, pod?}`; and its other keys. */
interface CompiledExperiment {
  experiment: unknown;
  values: Record<string, unknown>;
  pod?: PodLayout;
  data: Record<string, string>;
}

async function readCompiledExperiment(target: GroupTarget, signal: AbortSignal): Promise<CompiledExperiment> {
  const name = target.names.experimentSecret;
  const core = target.client.config.makeApiClient(CoreV1Api);
  let data: Record<string, string> | undefined;
  try {
    data = (await core.readNamespacedSecret({ name, namespace: target.namespace }, abortableOptions(signal)))
      .data;
  } catch (error) {
    if (statusOf(error) === 404) {
      throw new CanaryError(
        `no experiment for group "${target.names.group}" in namespace "${target.namespace}" (secret ${name} not found)`,
        { exitCode: ExitCode.usage, hints: [`launch it: canary k launch -g ${target.names.group}`] },
      );
    }
    throw explainApiError(error, target, {
      verb: 'get',
      resource: 'secrets',
      name,
      purpose: 'read the experiment',
    });
  }
  const encoded = data?.[experimentKey];
  if (encoded === undefined || encoded === '') {
    throw new CanaryError(`secret ${name} has no ${experimentKey}`, {
      exitCode: ExitCode.invalidExperiment,
      hints: [`launch the group again: canary k launch -g ${target.names.group}`],
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch (error) {
    throw new CanaryError(`secret ${name}: ${experimentKey} is not JSON: ${(error as Error).message}`, {
      exitCode: ExitCode.invalidExperiment,
    });
  }
  const envelope = value as { experiment?: unknown; values?: unknown; apiVersion?: unknown } | null;
  if (envelope && envelope.apiVersion === undefined && typeof envelope.experiment === 'object') {
    const values = envelope.values;
    const pod = (envelope as { pod?: PodLayout }).pod;
    return {
      experiment: envelope.experiment,
      values: values !== null && typeof values === 'object' ? (values as Record<string, unknown>) : {},
      ...(pod !== undefined ? { pod } : {}),
      data: data ?? {},
    };
  }
  return { experiment: value, values: {}, data: data ?? {} };
}

/** The experiment's directory inside the work directory, with carried files and secret-file links in place. */
async function layOutFiles(
  compiled: CompiledExperiment,
  workDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const layout = compiled.pod ?? { depth: 0, files: [], secretFiles: [] };
  return layOutPodFiles(layout, compiled.data, workDir, env);
}

/**
 * Every validation stage of `canary validate`, on the compiled experiment. JSON is YAML, so the
 * experiment goes through a file (named after its Secret, for the diagnostics) in the loop's
 * working directory, which is also where `run` scripts start.
 */
async function validateCompiled(
  compiled: CompiledExperiment,
  workDir: string,
  target: GroupTarget,
  options: RunInPodOptions,
) {
  const file = `${target.names.experimentSecret}.json`;
  await writeFile(path.join(workDir, file), `${JSON.stringify(compiled.experiment, null, 2)}\n`);
  const loaded = await loadExperiment({ file, cwd: workDir, values: compiled.values, env: options.env });
  if (hasErrors(loaded.diagnostics) || !loaded.experiment || !loaded.plan) {
    throw new ConfigError(loaded.diagnostics, loaded.sourceLines);
  }
  for (const diagnostic of loaded.diagnostics) options.log(formatDiagnostic(diagnostic, loaded.sourceLines));
  return { ...loaded, experiment: loaded.experiment, plan: loaded.plan, values: compiled.values };
}

interface RecorderSettings {
  target: GroupTarget;
  experiment: Experiment;
  experimentHash: string;
  source: string;
  pod?: string;
  keep?: number;
  maxLoops?: number;
}

/** Appends the loop (with a header when the experiment is new or changed) as the loop ends. */
class ClusterStoreObserver implements RunObserver {
  recorded?: LoopRecord;
  write?: UpdateOutcome;

  constructor(private readonly settings: RecorderSettings) {}

  async onEvent(event: RunEvent): Promise<void> {
    if (event.type !== 'loop-end') return;
    let appended: LoopRecord | undefined;
    this.write = await updateGroupStore(
      this.settings.target,
      (store) => {
        const next = this.withLoop(store, withoutUrlUserinfo(event.record));
        appended = next.record;
        return next.store;
      },
      { signal: AbortSignal.timeout(writeTimeoutMs) },
    );
    this.recorded = appended;
  }

  /** Pure: the update may run again after a conflict, on a newer store. */
  private withLoop(store: ClusterStore, record: LoopRecord): { store: ClusterStore; record: LoopRecord } {
    const { experimentHash, pod, keep, maxLoops } = this.settings;
    // A write that failed with a 5xx may have been applied all the same: then the retry finds this
    // very loop (same start, same pod) already stored, and must not append it a second time.
    const stored = store.loops.find(
      (l) =>
        l.start === record.start &&
        l.experimentHash === record.experimentHash &&
        store.pods[String(l.loop)] === pod,
    );
    if (stored) return { store, record: stored };
    let next = store;
    if (needsHeader(next, experimentHash)) next = appendHeader(next, this.header(next, record));
    const appended = appendLoop(next, record, {
      ...(keep !== undefined ? { keep } : {}),
      ...(pod !== undefined ? { pod } : {}),
    });
    next = appended.store;
    if (maxLoops !== undefined && loopsInSegment(next) >= maxLoops) {
      next = {
        ...next,
        end: {
          kind: 'end',
          at: new Date().toISOString(),
          reason: 'max-loops',
          loops: loopsInSegment(next),
          lastLoop: appended.record.loop,
          experimentHash,
          experimentStart: appended.record.experimentStart,
        },
      };
    }
    return { store: next, record: appended.record };
  }

  private header(store: ClusterStore, record: LoopRecord): HeaderRecord {
    return {
      kind: 'header',
      format: resultFormat,
      tool: { name: 'canary', version: toolVersion },
      created: record.experimentStart,
      experimentHash: this.settings.experimentHash,
      firstLoop: Math.max(record.loop, lastLoopOf(store) + 1),
      source: this.settings.source,
      experiment: redactUrlUserinfoDeep(this.settings.experiment),
    };
  }
}

function statusOf(error: unknown): number | undefined {
  const failure = classifyApiFailure(error);
  return failure?.type === 'status' ? failure.code : undefined;
}
