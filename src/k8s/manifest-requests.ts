/**
 * The few requests launch and delete make, over client-node's generic object
 * API: "not found" and "already exists" become answers, every other failure
 * a CanaryError naming the request (see manifest-request-error.ts).
 */
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { makeObjectApi } from './abortable-requests.js';
import { classifyApiFailure } from './api-failure.js';
import type { KubeClient } from './kube-client.js';
import { requestError, type RequestSubject } from './manifest-request-error.js';
import { GROUP_KINDS, type GroupKind, type Manifest, type ObjectRef } from './manifest-types.js';

/** Replacing retries this often when someone else writes the object in between (409 Conflict). */
const CONFLICT_RETRIES = 3;

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

export class GroupObjects {
  private readonly api: KubernetesObjectApi;

  constructor(
    private readonly client: KubeClient,
    signal: AbortSignal,
  ) {
    this.api = makeObjectApi(client, signal);
  }

  /** The object, or undefined when there is none. */
  async read(ref: ObjectRef): Promise<KubernetesObject | undefined> {
    try {
      return await this.api.read(header(ref));
    } catch (error) {
      if (statusOf(error)?.code === 404) return undefined;
      throw this.failed(error, { verb: 'get', ...ref });
    }
  }

  /** Creates the object; false when one of that name exists already. */
  async create(manifest: Manifest): Promise<boolean> {
    try {
      await this.api.create(manifest);
      return true;
    } catch (error) {
      if (statusOf(error)?.reason === 'AlreadyExists') return false;
      throw this.failed(error, { verb: 'create', ...refOf(manifest) });
    }
  }

  /** Replaces the whole object, at the resourceVersion it has now. */
  async replace(manifest: Manifest): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(refOf(manifest));
      if (!current) {
        // Deleted meanwhile: creating it is the same end state.
        if (await this.create(manifest)) return;
        continue;
      }
      const resourceVersion = current.metadata?.resourceVersion;
      try {
        await this.api.replace({
          ...manifest,
          metadata: { ...manifest.metadata, ...(resourceVersion ? { resourceVersion } : {}) },
        });
        return;
      } catch (error) {
        const status = statusOf(error);
        if (status?.code === 409 && status.reason !== 'AlreadyExists' && attempt < CONFLICT_RETRIES) continue;
        throw this.failed(error, { verb: 'update', ...refOf(manifest) });
      }
    }
  }

  /** Replaces the object only if it is still at `resourceVersion`; false when it changed (409 Conflict). */
  async replaceAt(manifest: Manifest, resourceVersion: string): Promise<boolean> {
    try {
      await this.api.replace({ ...manifest, metadata: { ...manifest.metadata, resourceVersion } });
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status?.code === 409 && status.reason !== 'AlreadyExists') return false;
      throw this.failed(error, { verb: 'update', ...refOf(manifest) });
    }
  }

  /** Server-side create; on AlreadyExists, replace. */
  async createOrReplace(manifest: Manifest): Promise<'created' | 'replaced'> {
    if (await this.create(manifest)) return 'created';
    await this.replace(manifest);
    return 'replaced';
  }

  /** Deletes the object; false when it was not there. */
  async remove(ref: ObjectRef, propagation: Propagation = 'Background'): Promise<boolean> {
    try {
      await this.api.delete(header(ref), undefined, undefined, undefined, undefined, propagation);
      return true;
    } catch (error) {
      if (statusOf(error)?.code === 404) return false;
      throw this.failed(error, { verb: 'delete', ...ref });
    }
  }

  /** Objects of a type in a namespace whose labels match `selector`. */
  async list(kind: GroupKind, namespace: string, selector: string): Promise<KubernetesObject[]> {
    try {
      const list = await this.api.list(
        GROUP_KINDS[kind].apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        selector,
      );
      return list.items;
    } catch (error) {
      throw this.failed(error, { verb: 'list', kind, namespace });
    }
  }

  private failed(error: unknown, subject: RequestSubject): unknown {
    return requestError(error, subject, this.client);
  }
}

export function refOf(manifest: Manifest): ObjectRef {
  return {
    kind: manifest.kind as GroupKind,
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace,
  };
}

function header(ref: ObjectRef): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
} {
  return {
    apiVersion: GROUP_KINDS[ref.kind].apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, namespace: ref.namespace },
  };
}

function statusOf(error: unknown): { code: number; reason?: string } | undefined {
  const failure = classifyApiFailure(error);
  return failure?.type === 'status' ? failure : undefined;
}
