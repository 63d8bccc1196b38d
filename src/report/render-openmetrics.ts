/**
 * The latest loop as OpenMetrics gauges, for a node_exporter textfile collector, a Pushgateway or a
 * scrape of a file server. No sample timestamps (both of those refuse them); the loop's end time is
 * its own gauge instead.
 *
 * canary_slo_verdict: 1 pass, 0 fail, -1 no decision (nodata, insufficient-data, inconclusive);
 * canary_slo_status carries the exact status as a label (1 for the current one, 0 for the others),
 * so a dashboard can tell the three no-decision states apart while the verdict series stays stable.
 */
import type { Report } from './report-schema.js';
import { showControlCharacters } from '../util/show-control-characters.js';

const statuses = ['pass', 'fail', 'nodata', 'insufficient-data', 'inconclusive'] as const;

interface Family {
  name: string;
  help: string;
  unit?: string;
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

export function renderOpenMetrics(report: Report): string {
  const experiment = report.experiment.name;
  const family = (name: string, help: string, unit?: string): Family => ({
    name,
    help,
    ...(unit ? { unit } : {}),
    samples: [],
  });
  const loop = family('canary_loop', 'Number of the latest loop in the result file');
  const end = family('canary_loop_end_timestamp_seconds', 'When the latest loop ended', 'seconds');
  const metricValue = family('canary_metric_value', 'Value of a metric in the latest loop, per version');
  const limit = family('canary_slo_limit', 'Bound an SLO held the metric to in the latest loop');
  const verdict = family('canary_slo_verdict', 'SLO verdict: 1 pass, 0 fail, -1 no decision (see status)');
  const status = family('canary_slo_status', 'SLO status of the latest loop: 1 for the current status');
  const unjudged = family(
    'canary_slos_unjudged',
    'SLOs the experiment defines that the latest loop did not judge',
  );
  if (report.unjudgedSlos)
    unjudged.samples.push({ labels: { experiment }, value: report.unjudgedSlos.unjudged });
  if (report.latestLoop) {
    loop.samples.push({ labels: { experiment }, value: report.latestLoop.loop });
    const ended = Date.parse(report.latestLoop.end);
    if (Number.isFinite(ended)) end.samples.push({ labels: { experiment }, value: ended / 1000 });
  }
  for (const version of report.versions) {
    for (const [metric, value] of Object.entries(version.metrics)) {
      // No value: no sample (absent series is how Prometheus says "no data").
      if (typeof value === 'number' && Number.isFinite(value)) {
        metricValue.samples.push({ labels: { experiment, version: version.name, metric }, value });
      }
    }
    const seen = new Set<string>();
    for (const slo of version.slos) {
      const labels = { experiment, version: version.name, metric: slo.metric, op: slo.op };
      // Two SLOs with the same metric and operator would be one series: the first one speaks.
      const key = JSON.stringify(labels);
      if (seen.has(key)) continue;
      seen.add(key);
      if (slo.limit !== null && Number.isFinite(slo.limit)) limit.samples.push({ labels, value: slo.limit });
      verdict.samples.push({ labels, value: slo.status === 'pass' ? 1 : slo.status === 'fail' ? 0 : -1 });
      for (const s of statuses) {
        status.samples.push({ labels: { ...labels, status: s }, value: slo.status === s ? 1 : 0 });
      }
    }
  }
  const lines: string[] = [];
  for (const f of [
    loop,
    end,
    metricValue,
    limit,
    verdict,
    status,
    ...(report.unjudgedSlos ? [unjudged] : []),
  ]) {
    lines.push(`# TYPE ${f.name} gauge`);
    if (f.unit) lines.push(`# UNIT ${f.name} ${f.unit}`);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    for (const sample of f.samples)
      lines.push(`${f.name}${formatLabels(sample.labels)} ${String(sample.value)}`);
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** Label values per the OpenMetrics ABNF: backslash, double quote and line feed are escaped. */
export function escapeLabelValue(value: string): string {
  // The spec escapes a line feed; any other control character is shown as text (`\x1b`).
  return showControlCharacters(value, '\n').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}
