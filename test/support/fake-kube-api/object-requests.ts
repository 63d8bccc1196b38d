/**
 * Verbs on namespaced and cluster-scoped objects: get, list, create, update,
 * patch, delete and deletecollection, plus the `status` and `log`
 * subresources — with the API server's answers and errors.
 */
import { parse as parseYaml } from 'yaml';
import { apiVersionOf, type ApiResourceDefinition } from './api-resources.js';
import { applyJsonPatch, applyMergePatch, PatchError } from './apply-patch.js';
import { matchesFields, parseFieldSelector, FieldSelectorError } from './field-selector.js';
import { matchesLabels, parseLabelSelector, SelectorSyntaxError } from './label-selector.js';
import type { KubeObject, ObjectStore } from './object-store.js';
import type { ResourceRoute } from './parse-route.js';
import {
  badRequest,
  conflict,
  deleted,
  invalid,
  methodNotAllowed,
  notFound,
  StatusError,
  unknownResource,
  unsupportedMediaType,
} from './status.js';

export type Reply = { code: number; json: unknown } | { code: number; text: string };

export interface ObjectRequest {
  route: ResourceRoute;
  definition: ApiResourceDefinition;
  query: URLSearchParams;
  contentType: string;
  body: string;
}

export interface ObjectState {
  store: ObjectStore;
  /** Pod logs by `namespace/pod` or `namespace/pod/container`. */
  podLogs: ReadonlyMap<string, string>;
}

export function handleObjectRequest(request: ObjectRequest, state: ObjectState): Reply {
  const { route, definition } = request;
  const namespace = route.namespace ?? '';
  if (definition.namespaced !== (route.namespace !== undefined)) {
    // Namespaced resources need a namespace except to list or watch across all of them.
    const acrossNamespaces = definition.namespaced && (route.verb === 'list' || route.verb === 'watch');
    if (!acrossNamespaces) throw unknownResource();
  }
  if (request.query.get('dryRun')) throw badRequest('dryRun is not supported by the fake API server');
  if (route.subresource !== undefined) return handleSubresource(request, state, namespace);
  if (!definition.verbs.includes(route.verb)) throw methodNotAllowed();
  switch (route.verb) {
    case 'get':
      return { code: 200, json: requireObject(state, definition, namespace, route.name!) };
    case 'list':
      return { code: 200, json: listObjects(request, state) };
    case 'watch':
      throw badRequest('watch is not supported by the fake API server');
    case 'create':
      return { code: 201, json: createObject(request, state, namespace) };
    case 'update':
      return { code: 200, json: updateObject(request, state, namespace, 'object') };
    case 'patch':
      return patchObject(request, state, namespace, 'object');
    case 'delete':
      return { code: 200, json: deleteObject(request, state, namespace) };
    case 'deletecollection':
      return { code: 200, json: deleteCollection(request, state, namespace) };
    default:
      throw methodNotAllowed();
  }
}

function handleSubresource(request: ObjectRequest, state: ObjectState, namespace: string): Reply {
  const { route, definition } = request;
  const subresource = route.subresource!;
  if (!(definition.subresources ?? []).some((s) => s === subresource)) throw unknownResource();
  if (subresource === 'log') {
    if (route.verb !== 'get') throw methodNotAllowed();
    return { code: 200, text: podLog(request, state, namespace) };
  }
  switch (route.verb) {
    case 'get':
      return { code: 200, json: requireObject(state, definition, namespace, route.name!) };
    case 'update':
      return { code: 200, json: updateObject(request, state, namespace, 'status') };
    case 'patch':
      return patchObject(request, state, namespace, 'status');
    default:
      throw methodNotAllowed();
  }
}

function requireObject(
  state: ObjectState,
  definition: ApiResourceDefinition,
  namespace: string,
  name: string,
): KubeObject {
  const object = state.store.get(definition, namespace, name);
  if (!object) throw notFound(definition, name);
  return object;
}

function selectObjects(request: ObjectRequest, state: ObjectState): KubeObject[] {
  const { query, route, definition } = request;
  let labels;
  let fields;
  try {
    labels = parseLabelSelector(query.get('labelSelector') ?? '');
  } catch (error) {
    if (error instanceof SelectorSyntaxError)
      throw badRequest(`unable to parse requirement: ${error.message}`);
    throw error;
  }
  try {
    fields = parseFieldSelector(query.get('fieldSelector') ?? '');
  } catch (error) {
    if (error instanceof FieldSelectorError) throw badRequest(error.message);
    throw error;
  }
  return state.store
    .list(definition, definition.namespaced ? route.namespace : undefined)
    .filter((o) => matchesLabels(labels, o.metadata.labels ?? {}) && matchesFields(fields, o.metadata));
}

/** `<Kind>List`; built-in lists leave apiVersion and kind off their items, custom resources keep them. */
function asList(definition: ApiResourceDefinition, items: KubeObject[], resourceVersion: string): unknown {
  return {
    kind: `${definition.kind}List`,
    apiVersion: apiVersionOf(definition),
    metadata: { resourceVersion },
    items: definition.custom ? items : items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
  };
}

function listObjects(request: ObjectRequest, state: ObjectState): unknown {
  return asList(request.definition, selectObjects(request, state), state.store.resourceVersion);
}

function parseJsonBody(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function metadataOf(body: Record<string, unknown>): Record<string, unknown> {
  const metadata = body['metadata'];
  return typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {};
}

function checkTypeMeta(definition: ApiResourceDefinition, body: Record<string, unknown>): void {
  const expected = apiVersionOf(definition);
  if (body['apiVersion'] !== undefined && body['apiVersion'] !== expected) {
    throw badRequest(
      `the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${expected})`,
    );
  }
  if (body['kind'] !== undefined && body['kind'] !== definition.kind) {
    throw badRequest(
      `the kind in the data (${String(body['kind'])}) does not match the expected kind (${definition.kind})`,
    );
  }
}

function checkNamespace(
  definition: ApiResourceDefinition,
  body: Record<string, unknown>,
  namespace: string,
): void {
  const given = metadataOf(body)['namespace'];
  if (definition.namespaced && given !== undefined && given !== '' && given !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function createObject(request: ObjectRequest, state: ObjectState, namespace: string): KubeObject {
  const { definition } = request;
  const body = parseJsonBody(request.body);
  checkTypeMeta(definition, body);
  checkNamespace(definition, body, namespace);
  const metadata = { ...metadataOf(body) };
  if (!metadata['name'] && typeof metadata['generateName'] === 'string' && metadata['generateName'] !== '') {
    const suffix = Array.from(
      { length: 5 },
      () => NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)],
    );
    metadata['name'] = `${metadata['generateName']}${suffix.join('')}`;
  }
  if (!metadata['name']) {
    throw invalid(definition, '', 'metadata.name', 'Required value: name or generateName is required');
  }
  // With a status subresource, status is the controllers' to write: a create cannot set it.
  const object: Record<string, unknown> = { ...body, metadata };
  if (definition.subresources?.includes('status')) delete object['status'];
  return state.store.create(definition, namespace, object);
}

/** 409 Conflict when the caller's resourceVersion is not the stored one (optimistic concurrency). */
function checkResourceVersion(definition: ApiResourceDefinition, current: KubeObject, given: unknown): void {
  if (given === undefined || given === null || given === '') return;
  if (String(given) !== current.metadata.resourceVersion) throw conflict(definition, current.metadata.name);
}

/** The object to store after a write to the object (status kept) or to its status (only status taken). */
function merged(
  definition: ApiResourceDefinition,
  current: KubeObject,
  next: Record<string, unknown>,
  target: 'object' | 'status',
): KubeObject {
  if (target === 'status') {
    const result: KubeObject = { ...current };
    if (next['status'] === undefined) delete result['status'];
    else result['status'] = next['status'];
    return result;
  }
  const result = {
    ...next,
    metadata: { ...metadataOf(next), name: current.metadata.name, namespace: current.metadata.namespace },
  } as KubeObject;
  if (definition.namespaced === false) delete result.metadata.namespace;
  if (definition.subresources?.includes('status')) {
    if (current['status'] === undefined) delete result['status'];
    else result['status'] = current['status'];
  }
  return result;
}

function updateObject(
  request: ObjectRequest,
  state: ObjectState,
  namespace: string,
  target: 'object' | 'status',
): KubeObject {
  const { definition, route } = request;
  const body = parseJsonBody(request.body);
  checkTypeMeta(definition, body);
  checkNamespace(definition, body, namespace);
  const name = metadataOf(body)['name'];
  if (name !== undefined && name !== route.name) {
    throw badRequest(
      `the name of the object (${String(name)}) does not match the name on the URL (${route.name})`,
    );
  }
  const current = requireObject(state, definition, namespace, route.name!);
  checkResourceVersion(definition, current, metadataOf(body)['resourceVersion']);
  return state.store.update(definition, merged(definition, current, body, target));
}

function patchObject(
  request: ObjectRequest,
  state: ObjectState,
  namespace: string,
  target: 'object' | 'status',
): Reply {
  const { definition, route } = request;
  const contentType = request.contentType.split(';')[0]!.trim().toLowerCase();
  let patch: unknown;
  try {
    patch =
      contentType === 'application/apply-patch+yaml' ? parseYaml(request.body) : JSON.parse(request.body);
  } catch (error) {
    throw badRequest(`the patch is not valid: ${(error as Error).message}`);
  }
  const current = state.store.get(definition, namespace, route.name!);
  if (!current) {
    // Server-side apply creates what does not exist yet; other patches need an object.
    if (contentType !== 'application/apply-patch+yaml' || target !== 'object')
      throw notFound(definition, route.name!);
    const body = { ...(patch as Record<string, unknown>) };
    checkTypeMeta(definition, body);
    return {
      code: 201,
      json: state.store.create(definition, namespace, {
        ...body,
        metadata: { ...metadataOf(body), name: route.name },
      }),
    };
  }
  if (contentType === 'application/strategic-merge-patch+json' && definition.custom) {
    throw unsupportedMediaType(contentType, true);
  }
  let patched: unknown;
  try {
    switch (contentType) {
      case 'application/json-patch+json':
        patched = applyJsonPatch(current, patch);
        break;
      case 'application/merge-patch+json':
      case 'application/strategic-merge-patch+json':
      case 'application/apply-patch+yaml':
        if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
          throw new PatchError('a merge patch must be a JSON object');
        }
        checkResourceVersion(
          definition,
          current,
          metadataOf(patch as Record<string, unknown>)['resourceVersion'],
        );
        patched = applyMergePatch(current, patch);
        break;
      default:
        throw unsupportedMediaType(contentType);
    }
  } catch (error) {
    if (error instanceof PatchError) {
      throw new StatusError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: ${error.message}`,
      );
    }
    throw error;
  }
  if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
    throw new StatusError(422, 'Invalid', 'the patched object is not an object');
  }
  const body = patched as Record<string, unknown>;
  const patchedName = metadataOf(body)['name'];
  if (patchedName !== current.metadata.name) {
    throw badRequest(
      `the name of the object (${String(patchedName)}) does not match the name on the URL (${route.name})`,
    );
  }
  return { code: 200, json: state.store.update(definition, merged(definition, current, body, target)) };
}

interface DeleteOptions {
  propagationPolicy: 'Orphan' | 'Background' | 'Foreground';
  preconditions: { uid?: string; resourceVersion?: string };
}

function deleteOptionsOf(request: ObjectRequest): DeleteOptions {
  const body = request.body.trim() === '' ? {} : parseJsonBody(request.body);
  const policy = request.query.get('propagationPolicy') ?? body['propagationPolicy'] ?? 'Background';
  if (policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
    throw new StatusError(
      422,
      'Invalid',
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  const preconditions = (body['preconditions'] ?? {}) as DeleteOptions['preconditions'];
  return { propagationPolicy: policy, preconditions };
}

function deleteObject(request: ObjectRequest, state: ObjectState, namespace: string): unknown {
  const { definition, route } = request;
  const options = deleteOptionsOf(request);
  const current = requireObject(state, definition, namespace, route.name!);
  const { uid, resourceVersion } = options.preconditions;
  if (uid !== undefined && uid !== current.metadata.uid) {
    throw conflict(
      definition,
      current.metadata.name,
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`,
    );
  }
  if (resourceVersion !== undefined && resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(
      definition,
      current.metadata.name,
      `the ResourceVersion in the precondition (${resourceVersion}) does not match the ResourceVersion in record (${current.metadata.resourceVersion}). The object might have been modified`,
    );
  }
  const gone = removeWithDependents(state.store, definition, current, options.propagationPolicy);
  return definition.custom ? deleted(definition, gone.metadata.name, gone.metadata.uid) : gone;
}

function deleteCollection(request: ObjectRequest, state: ObjectState, namespace: string): unknown {
  const options = deleteOptionsOf(request);
  const removed = selectObjects(request, state).map((object) =>
    removeWithDependents(state.store, request.definition, object, options.propagationPolicy, namespace),
  );
  return asList(request.definition, removed, state.store.resourceVersion);
}

/**
 * Deletes `object`; dependents (ownerReferences) go too, at once, unless the policy orphans them.
 * Foreground and Background differ only in timing in a real cluster.
 */
function removeWithDependents(
  store: ObjectStore,
  definition: ApiResourceDefinition,
  object: KubeObject,
  policy: DeleteOptions['propagationPolicy'],
  namespace = object.metadata.namespace ?? '',
): KubeObject {
  const gone = store.delete(definition, namespace, object.metadata.name) ?? object;
  for (const dependent of store.dependentsOf(gone.metadata.uid)) {
    const meta = dependent.object.metadata;
    if (policy === 'Orphan') {
      const owners = (meta.ownerReferences ?? []).filter((o) => o.uid !== gone.metadata.uid);
      const next = structuredClone(dependent.object);
      if (owners.length > 0) next.metadata.ownerReferences = owners;
      else delete next.metadata.ownerReferences;
      store.update(dependent.definition, next);
    } else {
      removeWithDependents(store, dependent.definition, dependent.object, policy);
    }
  }
  return gone;
}

function podLog(request: ObjectRequest, state: ObjectState, namespace: string): string {
  const { route, definition, query } = request;
  requireObject(state, definition, namespace, route.name!);
  const container = query.get('container');
  const key = `${namespace}/${route.name}`;
  const text =
    (container !== null ? state.podLogs.get(`${key}/${container}`) : undefined) ??
    state.podLogs.get(key) ??
    '';
  const tail = query.get('tailLines');
  if (tail === null) return text;
  const lines = text.split('\n');
  const trailingNewline = text.endsWith('\n');
  if (trailingNewline) lines.pop();
  const kept = lines.slice(Math.max(0, lines.length - Number(tail)));
  return kept.join('\n') + (trailingNewline && kept.length > 0 ? '\n' : '');
}
