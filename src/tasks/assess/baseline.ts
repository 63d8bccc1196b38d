import type { MetricBoard, MetricValue } from '../../metrics/metric-board.js';
import type { LoopRecord, RelativeVerdict } from '../../results/records.js';
import type { BaselineRef } from './assess-input.js';

/** Where a version's baseline values come from: another version of this loop, or a pinned loop. */
export interface Baseline {
  /** As recorded in verdicts. */
  ref: RelativeVerdict['baseline'];
  /** The baseline version index in this loop; that version is not judged against itself. */
  versionIndex?: number;
  /** The baseline's value of a metric for the judged version. */
  value(metric: string, version: number): MetricValue | undefined;
  /** The baseline's histogram of a metric for the judged version. */
  distribution(metric: string, version: number): ReadonlyArray<{ upper: number; count: number }> | undefined;
  describe: string;
}

export type PinnedLoopLookup = (name: string) => LoopRecord | undefined;

/**
 * The default baseline is the version named `baseline`, else the first version: Iter8 lists the
 * baseline first, and naming one `baseline` says which it is whatever the order.
 */
export function resolveBaseline(
  ref: BaselineRef | undefined,
  versions: readonly string[],
  board: MetricBoard,
  pinnedLoop: PinnedLoopLookup | undefined,
  currentVersions: readonly string[] = versions,
): Baseline | { error: string } {
  if (typeof ref === 'object') return pinnedBaseline(ref.pinned, pinnedLoop, currentVersions);
  let index: number;
  if (ref === undefined) index = Math.max(0, versions.indexOf('baseline'));
  else if (typeof ref === 'number') index = ref;
  else index = versions.indexOf(ref);
  if (index < 0 || index >= Math.max(versions.length, board.versionCount)) {
    const known = versions.length > 0 ? versions.map((v) => JSON.stringify(v)).join(', ') : 'none';
    return {
      error: `baseline ${JSON.stringify(ref)} is not a version of this experiment (versions: ${known})`,
    };
  }
  return {
    ref: index,
    versionIndex: index,
    value: (metric) => board.get(index, metric),
    distribution: (metric) => board.distribution(index, metric),
    describe: `version ${versions[index] ?? index}`,
  };
}

/** A pinned loop's value for the same-named version (or its only version). */
function pinnedBaseline(
  name: string,
  pinnedLoop: PinnedLoopLookup | undefined,
  currentVersions: readonly string[],
): Baseline | { error: string } {
  // No lookup at all: this run has no result file or cluster store to keep pins in.
  if (!pinnedLoop)
    return {
      error: `no loop is pinned as ${JSON.stringify(name)}: pins live in result files (canary results pin LOOP --as ${name}), or in a group's cluster store (canary k results pin LOOP --as ${name} -g GROUP), and this run has neither`,
    };
  const loop = pinnedLoop(name);
  if (!loop)
    return {
      error: `no loop is pinned as ${JSON.stringify(name)} (pin one with: canary results pin LOOP --as ${name})`,
    };
  const indexFor = (version: number): number | undefined => {
    const byName = loop.versions.indexOf(currentVersions[version] ?? '');
    if (byName >= 0) return byName;
    return loop.metrics.length === 1 ? 0 : undefined;
  };
  return {
    ref: { pinned: name, loop: loop.loop },
    value: (metric, version) => {
      const index = indexFor(version);
      return index === undefined ? undefined : loop.metrics[index]?.[metric];
    },
    distribution: (metric, version) => {
      const index = indexFor(version);
      const bins = index === undefined ? undefined : loop.distributions?.[index]?.[metric];
      return bins?.map((bin) => ({
        upper: bin.upper === '+Inf' ? Number.POSITIVE_INFINITY : bin.upper,
        count: bin.count,
      }));
    },
    describe: `loop ${loop.loop} pinned as ${name}`,
  };
}
