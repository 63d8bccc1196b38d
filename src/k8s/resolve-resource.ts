/**
 * Turns what a user writes for a resource type — plural (`inferenceservices`),
 * singular, kind (`InferenceService`), short name (`isvc`, `deploy`), or
 * `name.group` — into the served group, version and plural, through API
 * discovery as kubectl does. A given group/version narrows the search; without
 * one, the core group wins ties, then groups in the server's priority order.
 */
import { closeMatches } from './close-matches.js';
import { Discovery, type DiscoveredGroup, type DiscoveredResource } from './discovery.js';
import type { KubeClient } from './kube-client.js';

export interface ResourceQuery {
  resource: string;
  /** '' is the core group; undefined searches every group. */
  group?: string;
  version?: string;
}

export interface ResolvedResource extends DiscoveredResource {
  /** `v1` or `group/version`. */
  apiVersion: string;
  /** `inferenceservices.serving.kserve.io`, or just `services` in the core group: how Kubernetes names it. */
  qualifiedName: string;
}

/** No served resource type matches; `suggestions` are close names, ready to print. */
export class UnknownResourceError extends Error {
  readonly suggestions: string[];

  constructor(message: string, suggestions: string[]) {
    const didYouMean = suggestions.length > 0 ? `; did you mean ${suggestions.join(', ')}?` : '';
    super(`${message}${didYouMean}`);
    this.name = 'UnknownResourceError';
    this.suggestions = suggestions;
  }
}

const VERSION = /^v\d+(?:(?:alpha|beta)\d+)?$/;

export async function resolveResource(
  client: KubeClient,
  query: ResourceQuery,
  signal: AbortSignal,
): Promise<ResolvedResource> {
  const discovery = new Discovery(client, signal);
  try {
    return await resolveWith(discovery, query);
  } catch (error) {
    if (!(error instanceof UnknownResourceError)) throw error;
    // A CRD installed since the cache was filled: look once more, afresh.
    discovery.invalidate();
    return resolveWith(discovery, query);
  }
}

async function resolveWith(discovery: Discovery, query: ResourceQuery): Promise<ResolvedResource> {
  const resource = query.resource.trim();
  if (query.group !== undefined) return resolveInGroup(discovery, resource, query.group, query.version);
  const groups = await discovery.groups();
  // `isvc.serving.kserve.io` or `deployments.v1.apps`, as kubectl accepts them.
  for (const { name, group, version } of dottedForms(resource)) {
    if (groups.some((g) => g.name === group)) return resolveInGroup(discovery, name, group, version);
  }
  if (query.version !== undefined) {
    // A version without a group: only groups serving that version can hold the resource.
    const serving = groups.filter((g) => g.versions.includes(query.version!));
    return pick(resource, await gather(discovery, serving, () => [query.version!]), 'any API group');
  }
  const preferred = await gather(discovery, groups, (g) => g.versions.slice(0, 1));
  const found = match(resource, preferred);
  if (found) return found;
  const others = await gather(discovery, groups, (g) => g.versions.slice(1));
  return pick(resource, [...preferred, ...others], 'any API group');
}

async function resolveInGroup(
  discovery: Discovery,
  resource: string,
  group: string,
  version: string | undefined,
): Promise<ResolvedResource> {
  const groupLabel = group === '' ? 'the core API group' : `API group "${group}"`;
  if (version !== undefined) {
    const resources = await discovery.resources(group, version);
    if (resources) return pick(resource, resources, `${groupLabel}, version ${version}`);
    const groups = await discovery.groups();
    const served = groups.find((g) => g.name === group);
    const apiVersion = group === '' ? version : `${group}/${version}`;
    if (served) {
      throw new UnknownResourceError(
        `the server does not serve API version "${apiVersion}" (${groupLabel} is served at ${served.versions.join(', ')})`,
        [],
      );
    }
    throw new UnknownResourceError(
      `the server does not serve API version "${apiVersion}" (is the CRD installed?)`,
      closeMatches(
        group,
        groups.map((g) => g.name).filter((n) => n !== ''),
      ).map((g) => `group "${g}"`),
    );
  }
  const groups = await discovery.groups();
  const served = groups.find((g) => g.name === group);
  if (!served) {
    throw new UnknownResourceError(
      `the server has no API group "${group}" (is the CRD installed?)`,
      closeMatches(
        group,
        groups.map((g) => g.name).filter((n) => n !== ''),
      ).map((g) => `group "${g}"`),
    );
  }
  return pick(resource, await gather(discovery, [served], (g) => g.versions), groupLabel);
}

/** Resource lists of the chosen versions of each group, in group order; unserved versions skipped. */
async function gather(
  discovery: Discovery,
  groups: readonly DiscoveredGroup[],
  versionsOf: (group: DiscoveredGroup) => string[],
): Promise<DiscoveredResource[]> {
  const lists = await Promise.all(
    groups.flatMap((g) => versionsOf(g).map((version) => discovery.resources(g.name, version))),
  );
  return lists.flatMap((list) => list ?? []);
}

/**
 * The first resource named exactly (plural, singular or kind), else the first
 * with that short name — kubectl's order, so `services` is the core Service
 * even when Knative serves `services` too.
 */
function match(resource: string, candidates: readonly DiscoveredResource[]): ResolvedResource | undefined {
  const wanted = resource.toLowerCase();
  const exact = candidates.find(
    (r) => r.name === wanted || r.singularName === wanted || r.kind.toLowerCase() === wanted,
  );
  const found = exact ?? candidates.find((r) => r.shortNames.includes(wanted));
  return found ? resolved(found) : undefined;
}

function pick(resource: string, candidates: readonly DiscoveredResource[], where: string): ResolvedResource {
  const found = match(resource, candidates);
  if (found) return found;
  throw new UnknownResourceError(
    `the server doesn't have a resource type "${resource}" in ${where}`,
    suggestionsFor(resource, candidates),
  );
}

/** Close names, each shown with the resource it means: `isvc (inferenceservices.serving.kserve.io)`. */
function suggestionsFor(resource: string, candidates: readonly DiscoveredResource[]): string[] {
  const byName = new Map<string, string>();
  for (const r of candidates) {
    const full = qualifiedNameOf(r);
    for (const name of [r.name, r.singularName, r.kind, ...r.shortNames]) {
      if (!byName.has(name)) byName.set(name, full);
    }
  }
  return closeMatches(resource, byName.keys()).map((name) => {
    const full = byName.get(name)!;
    return name === full ? name : `${name} (${full})`;
  });
}

function dottedForms(resource: string): Array<{ name: string; group: string; version?: string }> {
  const parts = resource.split('.');
  if (parts.length < 2) return [];
  const [name, second, ...rest] = parts as [string, string, ...string[]];
  const forms: Array<{ name: string; group: string; version?: string }> = [];
  if (VERSION.test(second) && rest.length > 0) forms.push({ name, version: second, group: rest.join('.') });
  forms.push({ name, group: [second, ...rest].join('.') });
  return forms;
}

export function qualifiedNameOf(resource: Pick<DiscoveredResource, 'group' | 'name'>): string {
  return resource.group === '' ? resource.name : `${resource.name}.${resource.group}`;
}

function resolved(resource: DiscoveredResource): ResolvedResource {
  return {
    ...resource,
    apiVersion: resource.group === '' ? resource.version : `${resource.group}/${resource.version}`,
    qualifiedName: qualifiedNameOf(resource),
  };
}
