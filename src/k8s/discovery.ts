/**
 * API discovery — which groups, versions and resource types a cluster serves —
 * cached per process and API server, as kubectl caches it on disk. Only
 * answers are cached, never requests in flight, so one caller's abort cannot
 * fail another's lookup.
 */
import {
  ApiException,
  ApisApi,
  CoreApi,
  CoreV1Api,
  CustomObjectsApi,
  type V1APIResource,
} from '@kubernetes/client-node';
import { abortableOptions } from './abortable-requests.js';
import type { KubeClient } from './kube-client.js';

export interface DiscoveredGroup {
  /** '' for the core group. */
  name: string;
  /** Served versions, the preferred one first. */
  versions: string[];
}

export interface DiscoveredResource {
  group: string;
  version: string;
  /** Plural, as in URLs. */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames: string[];
}

interface ServerCache {
  groups?: DiscoveredGroup[];
  /** By `group/version`; null when the server does not serve that version. */
  resources: Map<string, DiscoveredResource[] | null>;
}

const caches = new Map<string, ServerCache>();

export function clearDiscoveryCache(): void {
  caches.clear();
}

export class Discovery {
  constructor(
    private readonly client: KubeClient,
    private readonly signal: AbortSignal,
  ) {}

  private get cache(): ServerCache {
    let cache = caches.get(this.client.server);
    if (!cache) {
      cache = { resources: new Map() };
      caches.set(this.client.server, cache);
    }
    return cache;
  }

  /** Forget this server's answers (a CRD may have been installed since). */
  invalidate(): void {
    caches.delete(this.client.server);
  }

  /** The core group first, then named groups in the server's priority order. */
  async groups(): Promise<DiscoveredGroup[]> {
    const cached = this.cache.groups;
    if (cached) return cached;
    const options = abortableOptions(this.signal);
    // No request on a signal that has already fired.
    this.signal.throwIfAborted();
    const [core, named] = await Promise.all([
      this.client.config.makeApiClient(CoreApi).getAPIVersions(undefined, options),
      this.client.config.makeApiClient(ApisApi).getAPIVersions(undefined, options),
    ]);
    const groups: DiscoveredGroup[] = [
      { name: '', versions: core.versions },
      ...named.groups.map((g) => {
        const preferred = g.preferredVersion?.version;
        const versions = g.versions.map((v) => v.version);
        return {
          name: g.name,
          versions: preferred ? [preferred, ...versions.filter((v) => v !== preferred)] : versions,
        };
      }),
    ];
    this.cache.groups = groups;
    return groups;
  }

  /** Resource types of one group version (subresources left out); undefined when it is not served. */
  async resources(group: string, version: string): Promise<DiscoveredResource[] | undefined> {
    const key = `${group}/${version}`;
    const cached = this.cache.resources.get(key);
    if (cached !== undefined) return cached ?? undefined;
    // The core group has only ever had v1, which CoreV1Api alone can ask about.
    if (group === '' && version !== 'v1') return undefined;
    this.signal.throwIfAborted();
    const options = abortableOptions(this.signal);
    let list: V1APIResource[];
    try {
      const answer =
        group === ''
          ? await this.client.config.makeApiClient(CoreV1Api).getAPIResources(undefined, options)
          : await this.client.config
              .makeApiClient(CustomObjectsApi)
              .getAPIResources({ group, version }, options);
      list = answer.resources;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) {
        this.cache.resources.set(key, null);
        return undefined;
      }
      throw error;
    }
    const resources = list
      .filter((r) => !r.name.includes('/'))
      .map((r) => ({
        group,
        version,
        name: r.name,
        // Some servers leave singularName empty; kubectl then uses the lower-cased kind.
        singularName: r.singularName || r.kind.toLowerCase(),
        kind: r.kind,
        namespaced: r.namespaced,
        verbs: r.verbs,
        shortNames: r.shortNames ?? [],
      }));
    this.cache.resources.set(key, resources);
    return resources;
  }
}
