/**
 * Discovery documents (legacy, non-aggregated form): `/api`, `/apis`,
 * `/apis/<group>`, `/api/v1` and `/apis/<group>/<version>`.
 */
import { subresourceVerbs, type ResourceCatalog } from './api-resources.js';

export function versionInfo(): Record<string, unknown> {
  return {
    major: '1',
    minor: '31',
    gitVersion: 'v1.31.0-fake',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-08-13T00:00:00Z',
    goVersion: 'go1.22.5',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDocument(name: string, versions: string[]): Record<string, unknown> {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

export function groupList(catalog: ResourceCatalog): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: catalog.groups().map((g) => groupDocument(g.name, g.versions)),
  };
}

export function group(catalog: ResourceCatalog, name: string): Record<string, unknown> | undefined {
  const found = catalog.groups().find((g) => g.name === name);
  if (!found) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(found.name, found.versions) };
}

export function resourceList(
  catalog: ResourceCatalog,
  groupName: string,
  version: string,
): Record<string, unknown> | undefined {
  const definitions = catalog.inGroupVersion(groupName, version);
  if (definitions.length === 0) return undefined;
  const resources = definitions.flatMap((d) => [
    {
      name: d.name,
      singularName: d.singularName,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: [...d.verbs],
      ...(d.shortNames ? { shortNames: [...d.shortNames] } : {}),
      ...(d.categories ? { categories: [...d.categories] } : {}),
    },
    ...(d.subresources ?? []).map((sub) => ({
      name: `${d.name}/${sub}`,
      singularName: '',
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: [...subresourceVerbs(sub)],
    })),
  ]);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupName === '' ? version : `${groupName}/${version}`,
    resources,
  };
}
