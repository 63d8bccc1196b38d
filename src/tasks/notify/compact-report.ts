import type { Report, SloEntry } from '../../report/report-schema.js';

/**
 * What a notification needs of the report: small enough for any webhook, and within GitHub's
 * limit of 10 top-level properties for a repository_dispatch client_payload.
 */
export interface CompactReport {
  experiment: string;
  loop: number;
  verdict: Report['verdict'];
  slos: { pass: number; fail: number; nodata: number };
  versions: Array<{ name: string; slos: SloEntry[] }>;
}

export function compactReport(report: Report): CompactReport {
  const { name, namespace } = report.experiment;
  const all = report.versions.flatMap((v) => v.slos);
  const count = (status: SloEntry['status']) => all.filter((s) => s.status === status).length;
  return {
    experiment: namespace ? `${namespace}/${name}` : name,
    loop: report.latestLoop?.loop ?? report.loops,
    verdict: report.verdict,
    slos: { pass: count('pass'), fail: count('fail'), nodata: count('nodata') },
    versions: report.versions.map((v) => ({ name: v.name, slos: v.slos })),
  };
}
