/**
 * Old results are never silently lost: launching a group again copies its
 * results Secret to `canary-<group>-results-<UTC timestamp>`, labelled with the
 * group's labels (so `canary k delete --all` finds it) and `archivedLabel`
 * (so a plain `canary k delete` keeps it).
 */
import { groupLabels, type GroupNames } from './group-names.js';
import type { Manifest } from './manifest-types.js';

/** Marks an archived results Secret; the value is when it was archived (UTC, `20250131-235959`). */
export const archivedLabel = 'canary.dev/archived-at';

/** A name- and label-safe UTC timestamp with second precision. */
export function archiveStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
}

/** `canary-<group>-results-<stamp>`, with `-2`, `-3`... when launches fall in the same second. */
export function archiveName(names: GroupNames, stamp: string, attempt = 1): string {
  return `${names.resultsSecret}-${stamp}${attempt > 1 ? `-${attempt}` : ''}`;
}

export function buildResultsArchive(options: {
  names: GroupNames;
  namespace: string;
  name: string;
  stamp: string;
  type?: string;
  data: Record<string, string>;
}): Manifest {
  const { names, namespace, name, stamp, type, data } = options;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      labels: { ...groupLabels(names.group), [archivedLabel]: stamp },
      annotations: { 'canary.dev/archived-from': names.resultsSecret },
    },
    type: type ?? 'Opaque',
    data,
  };
}

export function isArchive(labels: Readonly<Record<string, string>> | undefined): boolean {
  return labels?.[archivedLabel] !== undefined;
}
