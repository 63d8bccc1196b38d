/**
 * What `canary validate` can tell about ready inputs without a cluster: a
 * usable timeout, and a group/version/resource that hang together.
 */
import { parseDuration } from '../../util/duration.js';
import type { TaskProblem } from '../task-definition.js';
import type { ReadyInput } from './ready-input.js';

const GROUP = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VERSION = /^v\d+((alpha|beta)\d+)?$/;

/** Where well-known resources live, to catch a group written for the wrong resource. */
const KNOWN_GROUPS: Readonly<Record<string, readonly string[]>> = {
  pods: [''],
  configmaps: [''],
  secrets: [''],
  serviceaccounts: [''],
  deployments: ['apps'],
  statefulsets: ['apps'],
  daemonsets: ['apps'],
  replicasets: ['apps'],
  jobs: ['batch'],
  cronjobs: ['batch'],
  services: ['', 'serving.knative.dev'],
  inferenceservices: ['serving.kserve.io'],
};

export function checkReadyInput(input: ReadyInput): TaskProblem[] {
  return [...checkTimeout(input), ...checkCoordinates(input)];
}

function checkTimeout(input: ReadyInput): TaskProblem[] {
  if (input.timeout === undefined) return [];
  try {
    if (parseDuration(input.timeout) <= 0) {
      return [
        {
          severity: 'error',
          path: ['timeout'],
          message: 'timeout must be longer than 0s',
          hint: 'e.g. timeout: 5m',
        },
      ];
    }
  } catch (error) {
    return [{ severity: 'error', path: ['timeout'], message: (error as Error).message }];
  }
  return [];
}

function checkCoordinates(input: ReadyInput): TaskProblem[] {
  const problems: TaskProblem[] = [];
  const { group, version, resource } = input;
  if (group !== undefined && VERSION.test(group)) {
    problems.push({
      severity: 'error',
      path: ['group'],
      message: `group "${group}" is a version, not an API group`,
      hint: `set version: ${group}, with group: "" for the core group (Services, Pods)`,
    });
  } else if (group !== undefined && group !== '' && !GROUP.test(group)) {
    problems.push({
      severity: 'error',
      path: ['group'],
      message: `group "${group}" is not an API group name`,
      hint: 'an API group is a DNS name such as apps or serving.kserve.io; "" is the core group',
    });
  }
  if (group === 'core') {
    problems.push({
      severity: 'error',
      path: ['group'],
      message: 'the core API group is written as "" (empty), not "core"',
      hint: 'group: ""',
    });
  }
  if (version !== undefined && group === undefined) {
    problems.push({
      severity: 'error',
      path: ['version'],
      message: `version ${version} is given without a group, so it could belong to any API group`,
      hint: 'set group too; use group: "" for the core group (Services, Pods)',
    });
  }
  if (group !== undefined && resource.includes('.')) {
    problems.push({
      severity: 'error',
      path: ['resource'],
      message: `resource "${resource}" names a group itself, and group is set too`,
      hint: `write resource: ${resource.split('.')[0]} with group: ${group === '' ? '""' : group}`,
    });
  }
  const key = resource.toLowerCase();
  // Own keys only: `resource: constructor` must not find Object.prototype.constructor.
  const expected = Object.hasOwn(KNOWN_GROUPS, key) ? KNOWN_GROUPS[key] : undefined;
  const groupIsBad = problems.some((p) => p.path[0] === 'group');
  if (group !== undefined && expected && !expected.includes(group) && !groupIsBad) {
    const where = expected.map((g) => (g === '' ? 'the core group ""' : `API group "${g}"`)).join(' or ');
    problems.push({
      severity: 'warning',
      path: ['group'],
      message: `${resource} are served by ${where}, not "${group}"`,
    });
  }
  return problems;
}
