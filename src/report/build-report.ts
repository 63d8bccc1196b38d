import type { SloVerdict } from '../results/records.js';
import type { ResultHistory } from '../results/result-file.js';
import { assertConditions, experimentState } from '../results/assertions.js';
import type { Report } from './report-schema.js';
import { readHistograms } from './read-histograms.js';

/** The report model every renderer draws from; also the `-o json` output. */
export function buildReport(history: ResultHistory): Report {
  const state = experimentState(history);
  const latest = state.latest;
  const header = history.header;
  const { exitCode } = assertConditions(state, { completed: true, nofailure: true, slos: true });
  const versionNames = latest?.versions ?? header?.experiment.spec.versions ?? [];
  // Grouped once: filtering every verdict per version is quadratic in versions (100 versions x 100 metrics).
  const verdictsByVersion = new Map<number, SloVerdict[]>();
  for (const verdict of latest?.slos ?? []) {
    const list = verdictsByVersion.get(verdict.version);
    if (list) list.push(verdict);
    else verdictsByVersion.set(verdict.version, [verdict]);
  }
  const versions = versionNames.map((name, index) => {
    const observed = latest?.metrics[index] ?? {};
    return {
      name,
      metrics: Object.fromEntries(Object.entries(observed).map(([metric, v]) => [metric, v.value])),
      metricErrors: Object.fromEntries(
        Object.entries(observed)
          .filter(([, v]) => v.value === null)
          .map(([metric, v]) => [metric, v.reason ?? 'no value']),
      ),
      slos: (verdictsByVersion.get(index) ?? []).map((s) => ({
        metric: s.metric,
        op: s.op,
        limit: s.limit,
        value: s.value,
        status: s.status,
        ...(s.reason !== undefined ? { reason: s.reason } : {}),
      })),
      ...queriesOf(observed),
    };
  });
  const histograms = readHistograms(latest, versionNames);
  const spec = header?.experiment.spec;
  return {
    format: 'canary.report/v1',
    experiment: {
      name: header?.experiment.metadata.name ?? 'unknown',
      ...(header?.experiment.metadata.namespace ? { namespace: header.experiment.metadata.namespace } : {}),
      ...(header ? { hash: header.experimentHash } : {}),
      ...(spec?.schedule !== undefined ? { schedule: spec.schedule } : {}),
      ...(spec?.maxLoops !== undefined ? { maxLoops: spec.maxLoops } : {}),
      ...(header?.source !== undefined ? { source: header.source } : {}),
    },
    resultsFile: history.file,
    ...(header ? { toolVersion: header.tool.version } : {}),
    loops: state.loops,
    completed: state.completed,
    failure: state.failure,
    finished: state.finished,
    ...(history.end ? { endReason: history.end.reason } : {}),
    verdict: !latest
      ? 'none'
      : state.executionError
        ? 'error'
        : exitCode === 1
          ? 'fail'
          : exitCode === 5
            ? 'inconclusive'
            : exitCode === 0
              ? 'pass'
              : 'error',
    exitCode,
    ...(latest
      ? {
          latestLoop: {
            loop: latest.loop,
            start: latest.start,
            end: latest.end,
            durationMs: latest.durationMs,
            status: latest.status,
            ...(latest.skippedTicks ? { skippedTicks: latest.skippedTicks } : {}),
          },
        }
      : {}),
    tasks: (latest?.tasks ?? []).map((t) => ({
      id: t.id,
      task: t.task,
      status: t.status,
      ...(t.durationMs !== undefined ? { durationMs: t.durationMs } : {}),
      ...(t.message !== undefined ? { message: t.message } : {}),
    })),
    metricInfo: mergeMetricInfo(history),
    versions,
    ...(histograms ? { histograms } : {}),
    history: history.loops.map((loop) => ({
      loop: loop.loop,
      start: loop.start,
      status: loop.status,
      versions: loop.versions,
      metrics: loop.metrics.map(valuesOf),
    })),
    warnings: history.warnings,
  };
}

/** Metric name -> value; a plain loop, as it runs for every metric of every loop in the file. */
function valuesOf(
  metrics: Readonly<Record<string, { value: number | null }>>,
): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const name in metrics) values[name] = metrics[name]!.value;
  return values;
}

/** Rendered queries, so a reader can rerun one by hand; omitted when no task recorded any. */
function queriesOf(observed: Readonly<Record<string, { query?: string }>>): {
  queries?: Record<string, string>;
} {
  const queries = Object.fromEntries(
    Object.entries(observed).flatMap(([metric, v]) => (v.query === undefined ? [] : [[metric, v.query]])),
  );
  return Object.keys(queries).length > 0 ? { queries } : {};
}

function mergeMetricInfo(history: ResultHistory): Report['metricInfo'] {
  const info: Report['metricInfo'] = { ...history.summarizedMetricInfo };
  for (const loop of history.loops) Object.assign(info, loop.metricInfo ?? {});
  return info;
}
