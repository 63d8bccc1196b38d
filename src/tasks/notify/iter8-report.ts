import { GoInt, GoStruct } from '../../metrics/go-template/index.js';
import type { Report } from '../../report/report-schema.js';
import { toolVersion } from '../../version.js';

/**
 * The value Iter8's notify task gave payload templates, `{Report: base.Report}`, built from canary's
 * loop report: templates read Go field names (`.Report.NumLoops`), `toPrettyJson` writes json tags in
 * Iter8's field order. Iter8's experiment spec (tasks with inputs) is not repeated: `spec` lists the
 * tasks by name.
 */
export function iter8ReportData(
  report: Report,
  startTime: Date,
  now: Date = new Date(),
): Record<string, unknown> {
  const completedTasks = report.tasks.filter((t) => t.status === 'completed').length;
  const failure = report.failure || report.verdict === 'error';
  const int = (value: number) => new GoInt(value);
  const result = new GoStruct('*base.ExperimentResult', [
    { name: 'StartTime', json: 'startTime', value: startTime.toISOString() },
    { name: 'NumLoops', json: 'numLoops', value: int(report.loops) },
    { name: 'NumCompletedTasks', json: 'numCompletedTasks', value: int(completedTasks) },
    { name: 'Failure', json: 'failure', value: failure },
    { name: 'Insights', json: 'insights', value: insightsOf(report), omitEmpty: true },
    { name: 'Iter8Version', json: 'iter8Version', value: `canary-${toolVersion}` },
  ]);
  const experiment = new GoStruct('*base.Experiment', [
    { name: 'Spec', json: 'spec', value: report.tasks.map((t) => ({ task: t.task })) },
    { name: 'Result', json: 'result', value: result },
  ]);
  return {
    Report: new GoStruct('base.Report', [
      { name: 'TimeStamp', json: 'timeStamp', value: goTimeString(now) },
      { name: 'Completed', json: 'completed', value: report.completed },
      { name: 'NoTaskFailures', json: 'noTaskFailures', value: !failure },
      { name: 'NumTasks', json: 'numTasks', value: int(report.tasks.length) },
      { name: 'NumCompletedTasks', json: 'numCompletedTasks', value: int(completedTasks) },
      { name: 'NumLoops', json: 'numLoops', value: int(report.loops) },
      { name: 'Experiment', json: 'experiment', value: experiment },
    ]),
  };
}

function insightsOf(report: Report): GoStruct {
  const metricNames = [...new Set(report.versions.flatMap((v) => Object.keys(v.metrics)))];
  const upper = report.versions.flatMap((v) => v.slos).filter((s) => s.op === '<=');
  const lower = report.versions.flatMap((v) => v.slos).filter((s) => s.op === '>=');
  const limits = (slos: typeof upper) => [
    ...new Map(slos.map((s) => [s.metric, { limit: s.limit, metric: s.metric }])).values(),
  ];
  const satisfied = (slos: typeof upper) =>
    limits(slos).map(({ metric }) =>
      report.versions.map((v) => v.slos.some((s) => s.metric === metric && s.status === 'pass')),
    );
  return new GoStruct('*base.Insights', [
    { name: 'NumVersions', json: 'numVersions', value: new GoInt(report.versions.length) },
    {
      name: 'VersionNames',
      json: 'versionNames',
      value: report.versions.map((v) => ({ track: '', version: v.name })),
    },
    {
      name: 'MetricsInfo',
      json: 'metricsInfo',
      value: Object.fromEntries(
        metricNames.map((name) => {
          const info = report.metricInfo[name];
          return [
            name,
            {
              description: info?.description ?? '',
              type: info?.type ?? 'gauge',
              ...(info?.units ? { units: info.units } : {}),
            },
          ];
        }),
      ),
      omitEmpty: true,
    },
    {
      name: 'NonHistMetricValues',
      json: 'nonHistMetricValues',
      value: report.versions.map((v) =>
        Object.fromEntries(
          Object.entries(v.metrics).flatMap(([name, value]) => (value === null ? [] : [[name, [value]]])),
        ),
      ),
      omitEmpty: true,
    },
    {
      name: 'SLOs',
      json: 'SLOs',
      value: upper.length + lower.length > 0 ? { lower: limits(lower), upper: limits(upper) } : undefined,
      omitEmpty: true,
    },
    {
      name: 'SLOsSatisfied',
      json: 'SLOsSatisfied',
      value:
        upper.length + lower.length > 0 ? { lower: satisfied(lower), upper: satisfied(upper) } : undefined,
      omitEmpty: true,
    },
  ]);
}

/** Go's time.Time.String() in UTC, without the monotonic clock reading. */
function goTimeString(time: Date): string {
  const iso = time.toISOString(); // 2026-12-07T23:05:01.123Z
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}
