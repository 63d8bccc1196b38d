/**
 * Names and labels of the objects of one experiment group in a cluster. One place, so `k launch`,
 * `k run`, `k log` and `k delete` agree.
 */
export const managedByLabel = 'app.kubernetes.io/managed-by';
export const groupLabel = 'canary.dev/group';
export const defaultGroup = 'default';

/** Key of the compiled experiment (JSON) in the experiment Secret. */
export const experimentKey = 'experiment.json';
/** Key of the result store (gzipped JSON) in the results Secret. */
export const resultsKey = 'results.json.gz';

export interface GroupNames {
  group: string;
  /** Secret holding the compiled experiment. */
  experimentSecret: string;
  /** Secret holding the bounded result store. */
  resultsSecret: string;
  /** ServiceAccount, Role, RoleBinding, and the Job or CronJob. */
  workload: string;
}

export function groupNames(group: string): GroupNames {
  return {
    group,
    experimentSecret: `canary-${group}-experiment`,
    resultsSecret: `canary-${group}-results`,
    workload: `canary-${group}`,
  };
}

export function groupLabels(group: string): Record<string, string> {
  return { [managedByLabel]: 'canary', [groupLabel]: group };
}

export function groupSelector(group: string): string {
  return `${managedByLabel}=canary,${groupLabel}=${group}`;
}

/** Groups name Kubernetes objects: a DNS label short enough for `canary-<group>-experiment`. */
export function checkGroupName(group: string): string | undefined {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(group)) {
    return `group ${JSON.stringify(group)} must be lower-case letters, digits and '-', starting and ending with a letter or digit`;
  }
  if (group.length > 40) return `group ${JSON.stringify(group)} is longer than 40 characters`;
  return undefined;
}
