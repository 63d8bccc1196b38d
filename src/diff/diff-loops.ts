/**
 * Two loops compared, version by version (matched by name): every metric's values and change, every
 * SLO's verdicts. Pure: choosing the loops is select-sides.ts's job.
 */
import { versionName } from '../config/experiment.js';
import { verdictGate, type LoopRecord, type SloVerdict } from '../results/records.js';
import type { Diff, DiffSide, DiffVersion, SloChange } from './diff-schema.js';

export interface DiffInput {
  side: DiffSide;
  record: LoopRecord;
}

const changeOrder: SloChange[] = ['regressed', 'fixed', 'changed', 'added', 'removed', 'unchanged'];

export function diffLoops(a: DiffInput, b: DiffInput): Diff {
  const namesA = a.record.versions.length > 0 ? a.record.versions : indexNames(a.record);
  const namesB = b.record.versions.length > 0 ? b.record.versions : indexNames(b.record);
  const versions = namesB
    .filter((name) => namesA.includes(name))
    .map((name) => diffVersion(name, a.record, namesA.indexOf(name), b.record, namesB.indexOf(name)));
  const slos = versions.flatMap((v) => v.slos);
  const count = (change: SloChange) => slos.filter((s) => s.change === change).length;
  return {
    format: 'canary.diff/v1',
    a: a.side,
    b: b.side,
    versions,
    onlyInA: namesA.filter((name) => !namesB.includes(name)),
    onlyInB: namesB.filter((name) => !namesA.includes(name)),
    summary: {
      regressed: count('regressed'),
      fixed: count('fixed'),
      changed: count('changed'),
      added: count('added'),
      removed: count('removed'),
      unchanged: count('unchanged'),
      gatingRegressions: slos.filter((s) => s.change === 'regressed' && s.gateB === 'fail').length,
    },
  };
}

/** A loop without version names (a hand-made record) still has versions by index. */
function indexNames(record: LoopRecord): string[] {
  const count = Math.max(record.metrics.length, ...record.slos.map((s) => s.version + 1));
  return Array.from({ length: count }, (_, i) => versionName(record.versions, i));
}

function diffVersion(name: string, a: LoopRecord, ia: number, b: LoopRecord, ib: number): DiffVersion {
  const metricsA = a.metrics[ia] ?? {};
  const metricsB = b.metrics[ib] ?? {};
  const metricNames = [...new Set([...Object.keys(metricsA), ...Object.keys(metricsB)])].sort();
  const metrics = metricNames.map((metric) => {
    const va = finite(metricsA[metric]?.value);
    const vb = finite(metricsB[metric]?.value);
    const change = va !== null && vb !== null ? vb - va : null;
    return {
      metric,
      a: va,
      b: vb,
      change,
      relativeChange: change !== null && va !== null && va !== 0 ? change / Math.abs(va) : null,
    };
  });
  const slosA = keyed(a.slos.filter((s) => s.version === ia));
  const slosB = keyed(b.slos.filter((s) => s.version === ib));
  const keys = [...new Set([...slosA.keys(), ...slosB.keys()])];
  const slos = keys
    .map((slo) => {
      const va = slosA.get(slo);
      const vb = slosB.get(slo);
      const any = (vb ?? va)!;
      return {
        slo,
        metric: any.metric,
        op: any.op,
        change: classify(va, vb),
        statusA: va?.status ?? null,
        statusB: vb?.status ?? null,
        limitA: va?.limit ?? null,
        limitB: vb?.limit ?? null,
        valueA: finite(va?.value),
        valueB: finite(vb?.value),
        ...(vb ? { gateB: verdictGate(vb) } : {}),
      };
    })
    .sort((x, y) => changeOrder.indexOf(x.change) - changeOrder.indexOf(y.change));
  return { name, slos, metrics };
}

/** SLOs by `metric op` (plus a kind other than absolute); a repeated key gets `#2`, `#3`... */
function keyed(verdicts: readonly SloVerdict[]): Map<string, SloVerdict> {
  const map = new Map<string, SloVerdict>();
  for (const verdict of verdicts) {
    const base = `${verdict.metric} ${verdict.op}${verdict.kind && verdict.kind !== 'absolute' ? ` (${verdict.kind})` : ''}`;
    let key = base;
    for (let n = 2; map.has(key); n++) key = `${base} #${n}`;
    map.set(key, verdict);
  }
  return map;
}

function classify(a: SloVerdict | undefined, b: SloVerdict | undefined): SloChange {
  if (!a) return 'added';
  if (!b) return 'removed';
  if (a.status === b.status) return 'unchanged';
  if (a.status === 'pass' && b.status === 'fail') return 'regressed';
  if (a.status === 'fail' && b.status === 'pass') return 'fixed';
  return 'changed';
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
