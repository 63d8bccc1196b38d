/**
 * The fake cluster's storage: objects per group and resource (so every served
 * version sees the same objects), with the metadata the API server manages —
 * uid, creationTimestamp, generation and a cluster-wide resourceVersion.
 */
import { randomUUID } from 'node:crypto';
import { apiVersionOf, type ApiResourceDefinition } from './api-resources.js';
import { alreadyExists } from './status.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid: string;
  resourceVersion: string;
  generation: number;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface StoredObject {
  definition: ApiResourceDefinition;
  object: KubeObject;
}

/** Kubernetes timestamps have second precision. */
export function kubeTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Everything but metadata and status: what bumps `metadata.generation`. */
function specOf(object: Record<string, unknown>): string {
  const rest = { ...object };
  delete rest['metadata'];
  delete rest['status'];
  return JSON.stringify(rest);
}

export class ObjectStore {
  private revision = 1000;
  private readonly objects = new Map<string, StoredObject>();

  get resourceVersion(): string {
    return String(this.revision);
  }

  get(definition: ApiResourceDefinition, namespace: string, name: string): KubeObject | undefined {
    const stored = this.objects.get(keyOf(definition, namespace, name));
    return stored ? served(stored.object, definition) : undefined;
  }

  /** Sorted by namespace then name, as etcd keys are. `namespace` undefined: every namespace. */
  list(definition: ApiResourceDefinition, namespace: string | undefined): KubeObject[] {
    const prefix = `${definition.group}/${definition.name}/`;
    return [...this.objects]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, stored]) => stored.object)
      .filter((o) => namespace === undefined || (o.metadata.namespace ?? '') === namespace)
      .sort((a, b) =>
        keyOf(definition, a.metadata.namespace ?? '', a.metadata.name).localeCompare(
          keyOf(definition, b.metadata.namespace ?? '', b.metadata.name),
        ),
      )
      .map((o) => served(o, definition));
  }

  /** A new object: server-set metadata filled in; 409 AlreadyExists when the name is taken. */
  create(definition: ApiResourceDefinition, namespace: string, body: Record<string, unknown>): KubeObject {
    const metadata = { ...((body['metadata'] as Record<string, unknown> | undefined) ?? {}) };
    const name = String(metadata['name'] ?? '');
    const key = keyOf(definition, namespace, name);
    if (this.objects.has(key)) throw alreadyExists(definition, name);
    const object = {
      ...body,
      apiVersion: apiVersionOf(definition),
      kind: definition.kind,
      metadata: {
        ...metadata,
        name,
        ...(definition.namespaced ? { namespace } : {}),
        uid: randomUUID(),
        resourceVersion: this.nextRevision(),
        generation: 1,
        creationTimestamp: kubeTimestamp(),
      },
    } as KubeObject;
    delete (object.metadata as Partial<ObjectMeta>).generateName;
    if (metadata['generateName'] !== undefined)
      object.metadata.generateName = String(metadata['generateName']);
    this.objects.set(key, { definition, object });
    return served(object, definition);
  }

  /** Replaces an existing object; identity and creation metadata are the server's, not the caller's. */
  update(definition: ApiResourceDefinition, next: KubeObject): KubeObject {
    const key = keyOf(definition, next.metadata.namespace ?? '', next.metadata.name);
    const current = this.objects.get(key)?.object;
    if (!current) throw new Error(`no ${definition.name} ${key} to update`);
    const changedSpec = specOf(current) !== specOf(next);
    const object: KubeObject = {
      ...next,
      apiVersion: apiVersionOf(definition),
      kind: definition.kind,
      metadata: {
        ...next.metadata,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        generation: current.metadata.generation + (changedSpec ? 1 : 0),
        resourceVersion: this.nextRevision(),
      },
    };
    this.objects.set(key, { definition, object });
    return served(object, definition);
  }

  delete(definition: ApiResourceDefinition, namespace: string, name: string): KubeObject | undefined {
    const key = keyOf(definition, namespace, name);
    const stored = this.objects.get(key);
    if (!stored) return undefined;
    this.objects.delete(key);
    this.nextRevision();
    return served(stored.object, definition);
  }

  /** Objects whose ownerReferences name `uid`, for cascading deletes. */
  dependentsOf(uid: string): StoredObject[] {
    return [...this.objects.values()].filter((s) =>
      (s.object.metadata.ownerReferences ?? []).some((o) => o.uid === uid),
    );
  }

  private nextRevision(): string {
    this.revision += 1;
    return String(this.revision);
  }
}

function keyOf(definition: ApiResourceDefinition, namespace: string, name: string): string {
  return `${definition.group}/${definition.name}/${definition.namespaced ? namespace : ''}/${name}`;
}

/** A copy in the version being served: callers never hold the stored object. */
function served(object: KubeObject, definition: ApiResourceDefinition): KubeObject {
  return { ...structuredClone(object), apiVersion: apiVersionOf(definition), kind: definition.kind };
}
