import type { ResultHistory } from '../results/result-file.js';
import { assertConditions, experimentState } from '../results/assertions.js';
import type { Report, SloEntry } from './report-schema.js';
import type { LoopRecord, SloVerdict } from '../results/records.js';
import { verdictGate, verdictKey } from '../results/records.js';
import { describeBaseline, describeSloRule, explainVerdict } from '../results/explain-verdict.js';

import { readHistograms } from './read-histograms.js';
import { bestVersions } from './best-versions.js';
import { comparableLoops } from '../results/marks.js';
import { addLoopVerdicts, type SloHistoryCounts } from '../results/verdict-counts.js';
import { versionName } from '../config/experiment.js';

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
  // Warn and observe SLOs show their violations over the history: counted in one pass over the loops.
  const violations = latest?.slos.some((v) => v.policy && v.policy.mode !== 'gate')
    ? violationsByKey(history)
    : undefined;
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
      slos: (verdictsByVersion.get(index) ?? []).map((s) => sloEntry(s, latest!, violations)),
      ...queriesOf(observed),
    };
  });
  const histograms = readHistograms(latest, versionNames);
  const rewards = bestVersions(header?.experiment, latest);
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
    ...(state.unjudged && state.unjudged.unjudged > 0 ? { unjudgedSlos: state.unjudged } : {}),
    ...(latest
      ? {
          latestLoop: {
            loop: latest.loop,
            start: latest.start,
            end: latest.end,
            durationMs: latest.durationMs,
            status: latest.status,
            ...(latest.skippedTicks ? { skippedTicks: latest.skippedTicks } : {}),
            ...(latest.retrospective ? { retrospective: latest.retrospective } : {}),
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
    ...(rewards.length > 0 ? { rewards } : {}),
    ...(histograms ? { histograms } : {}),
    history: comparableLoops(history).map((loop) => ({
      loop: loop.loop,
      start: loop.start,
      status: loop.status,
      ...(loop.retrospective ? { retrospective: loop.retrospective } : {}),
      versions: loop.versions,
      metrics: loop.metrics.map(valuesOf),
    })),
    ...marksOf(history),
    warnings: history.warnings,
  };
}

function sloEntry(
  verdict: SloVerdict,
  latest: LoopRecord,
  violations: SloHistoryCounts | undefined,
): SloEntry {
  const gate = verdictGate(verdict);
  // Built by assignment, not spreads of temporary objects: a report of 100 versions x 100 metrics
  // makes 20,000 of these.
  const entry = {
    metric: verdict.metric,
    op: verdict.op,
    limit: verdict.limit,
    value: verdict.value,
    status: verdict.status,
  } as SloEntry;
  if (verdict.reason !== undefined) entry.reason = verdict.reason;
  if (verdict.kind !== undefined) entry.kind = verdict.kind;
  entry.gate = gate;
  entry.rule = describeSloRule(verdict);
  const relative = verdict.relative;
  if (relative) {
    entry.baseline = {
      name: describeBaseline(relative.baseline, latest.versions),
      value: relative.baselineValue,
    };
  }
  if (verdict.samples) entry.samples = verdict.samples;
  if (verdict.comparison) entry.comparison = verdict.comparison;
  if (verdict.policy) entry.policy = verdict.policy;
  if (verdict.policy && verdict.policy.mode !== 'gate') {
    const name = versionName(latest.versions, verdict.version);
    entry.history = violations?.get(verdictKey(verdict, name)) ?? { loops: 0, violations: 0 };
  }
  if (gate !== 'pass' && gate !== 'observe') entry.explanation = explainVerdict(verdict, latest.versions);
  return entry;
}

/** Per SLO and version: the summarized loops' counts, then every whole loop, in one pass. */
function violationsByKey(history: ResultHistory): SloHistoryCounts {
  const counts: SloHistoryCounts = new Map(history.summarizedSloCounts ?? []);
  for (const loop of history.loops) addLoopVerdicts(counts, loop);
  return counts;
}

/** Pins, invalid loops and compacted loops, when the file has any. */
function marksOf(history: ResultHistory): Pick<Report, 'pins' | 'invalidLoops' | 'compactedLoops'> {
  const pins = Object.entries(history.pins ?? {});
  const invalid = Object.entries(history.invalid ?? {});
  const compacted = history.earlier?.loops ?? 0;
  return {
    ...(pins.length > 0 ? { pins: Object.fromEntries(pins.map(([name, loop]) => [name, loop.loop])) } : {}),
    ...(invalid.length > 0
      ? { invalidLoops: invalid.map(([loop, reason]) => ({ loop: Number(loop), reason })) }
      : {}),
    ...(compacted > 0 ? { compactedLoops: compacted } : {}),
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
