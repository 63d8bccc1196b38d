/**
 * An in-process Kubernetes API server for tests: real REST paths, verbs and
 * response shapes (discovery, CRUD, Status errors, RBAC denials, pod logs), so
 * `@kubernetes/client-node` talks to it as to a cluster. Loopback only, plain
 * HTTP, bearer-token authentication.
 *
 * Tests arrange state through the methods below (`set`, `mutate`,
 * `setCondition`, `forbid`, ...), which act like controllers and cluster
 * admins: they bypass authentication, RBAC and the status-subresource rules.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { defaultResources, ResourceCatalog, type ApiResourceDefinition } from './api-resources.js';
import { AccessRules, type ForbidRule } from './access-rules.js';
import { coreVersions, group, groupList, resourceList, versionInfo } from './discovery-documents.js';
import { handleObjectRequest, type Reply } from './object-requests.js';
import { ObjectStore, type KubeObject } from './object-store.js';
import { parseRoute, type Route } from './parse-route.js';
import { forbidden, StatusError, unauthorized, unknownResource, type StatusReason } from './status.js';

export const DEFAULT_TOKEN = 'fake-token';
export const DEFAULT_USER = 'system:serviceaccount:canary:canary-runner';

export interface FakeKubeApiOptions {
  /** Bearer token -> user name. Default: DEFAULT_TOKEN for DEFAULT_USER. */
  users?: Readonly<Record<string, string>>;
  /** Served resource types; default `defaultResources()`. */
  resources?: readonly ApiResourceDefinition[];
  /** Serve HTTPS with this key and certificate (PEM), as a real API server does; default plain HTTP. */
  tls?: { key: string; cert: string };
}

/** Names an object the way a manifest does. `namespace` defaults to "default" for namespaced kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** Fail requests as a sick API server would: the next `count` that match get `status`. */
export interface InjectedFault {
  /** HTTP method; any when absent. */
  method?: string;
  /** Matched against the path (without the query). */
  path: string | RegExp;
  status: number;
  /** Requests to fail; default 1. */
  count?: number;
  message?: string;
  /** Do the request first, then answer the error: the write happened, the client does not know. */
  afterApplying?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** RBAC verb for resource requests. */
  verb?: string;
  status: number;
  at: number;
}

export class FakeKubeApi {
  /** Every request answered, in order. */
  readonly requests: RecordedRequest[] = [];
  readonly token: string;
  readonly user: string;

  private readonly catalog: ResourceCatalog;
  private readonly store = new ObjectStore();
  private readonly rules = new AccessRules();
  private readonly podLogs = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly faults: Array<InjectedFault & { left: number }> = [];
  private readonly users: Readonly<Record<string, string>>;
  private baseUrl = '';

  private constructor(
    private readonly server: http.Server | https.Server,
    options: FakeKubeApiOptions,
  ) {
    this.users = options.users ?? { [DEFAULT_TOKEN]: DEFAULT_USER };
    const [token, user] = Object.entries(this.users)[0] ?? [DEFAULT_TOKEN, DEFAULT_USER];
    this.token = token;
    this.user = user;
    this.catalog = new ResourceCatalog(options.resources ?? defaultResources());
  }

  static async start(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
    const server = options.tls ? https.createServer(options.tls) : http.createServer();
    const api = new FakeKubeApi(server, options);
    server.on('request', (request, response) => void api.serve(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    api.baseUrl = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return api;
  }

  /** `http://127.0.0.1:<port>` (https with `tls`), the cluster's `server` in a kubeconfig. */
  get url(): string {
    return this.baseUrl;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- test API -------------------------------------------------------------------------------

  /** Creates or replaces an object as given, status included; returns it as stored. */
  set(object: Record<string, unknown> & { apiVersion: string; kind: string }): KubeObject {
    const definition = this.definitionOf(object.apiVersion, object.kind);
    const metadata = (object['metadata'] ?? {}) as Record<string, unknown>;
    const name = String(metadata['name'] ?? '');
    if (name === '') throw new Error('set(): metadata.name is required');
    const namespace = definition.namespaced ? String(metadata['namespace'] ?? 'default') : '';
    const body = structuredClone(object) as Record<string, unknown>;
    const current = this.store.get(definition, namespace, name);
    if (!current) return this.store.create(definition, namespace, body);
    return this.store.update(definition, {
      ...body,
      metadata: { ...(body['metadata'] as object), name, ...(definition.namespaced ? { namespace } : {}) },
    } as KubeObject);
  }

  get(ref: ObjectRef): KubeObject | undefined {
    const { definition, namespace } = this.locate(ref);
    return this.store.get(definition, namespace, ref.name);
  }

  /** Changes a stored object in place (as a controller would); bumps its resourceVersion. */
  mutate(ref: ObjectRef, change: (object: KubeObject) => void): KubeObject {
    const { definition, namespace } = this.locate(ref);
    const object = this.store.get(definition, namespace, ref.name);
    if (!object) throw new Error(`mutate(): ${ref.kind} ${namespace}/${ref.name} does not exist`);
    change(object);
    return this.store.update(definition, object);
  }

  /** `mutate` after `delayMs`; resolves once applied. Pending changes are dropped by `close()`. */
  mutateAfter(delayMs: number, ref: ObjectRef, change: (object: KubeObject) => void): Promise<KubeObject> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        try {
          resolve(this.mutate(ref, change));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }, delayMs);
      this.timers.add(timer);
    });
  }

  /** Adds or replaces `status.conditions[type]`, stamping lastTransitionTime when the status changes. */
  setCondition(ref: ObjectRef, condition: Condition): KubeObject {
    return this.mutate(ref, (object) => upsertCondition(object, condition));
  }

  delete(ref: ObjectRef): boolean {
    const { definition, namespace } = this.locate(ref);
    return this.store.delete(definition, namespace, ref.name) !== undefined;
  }

  /** Denies matching requests with 403, worded as the RBAC authorizer words it. */
  forbid(rule: ForbidRule): void {
    this.rules.forbid(rule);
  }

  /** Lifts a rule given to `forbid`, or all of them. */
  allow(rule?: ForbidRule): void {
    this.rules.allow(rule);
  }

  /** Fails the next matching requests (see InjectedFault); faults are tried in the order given. */
  failNext(fault: InjectedFault): void {
    this.faults.push({ ...fault, left: fault.count ?? 1 });
  }

  /** Drops every fault not yet used up. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Text served at `/api/v1/namespaces/<ns>/pods/<name>/log` (optionally for one container). */
  setPodLog(namespace: string, pod: string, text: string, container?: string): void {
    this.podLogs.set(
      container === undefined ? `${namespace}/${pod}` : `${namespace}/${pod}/${container}`,
      text,
    );
  }

  /** Serves another resource type, as installing a CRD would. */
  addResource(definition: ApiResourceDefinition): void {
    this.catalog.add(definition);
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private async serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl || 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    let verb: string | undefined;
    let reply: Reply;
    try {
      const body = await readBody(request);
      const user = this.authenticate(request);
      const route = parseRoute(method, url);
      if (route?.type === 'resource') verb = route.verb;
      const fault = this.takeFault(method, url.pathname);
      if (fault && !fault.afterApplying) throw injected(fault);
      reply = route
        ? this.answer(route, user, url, request.headers['content-type'] ?? '', body)
        : pageNotFound();
      if (fault) throw injected(fault);
    } catch (error) {
      reply =
        error instanceof StatusError
          ? { code: error.body.code, json: error.body }
          : { code: 500, json: new StatusError(500, 'BadRequest', String(error)).body };
    }
    this.requests.push({
      method,
      url: `${url.pathname}${url.search}`,
      verb,
      status: reply.code,
      at: Date.now(),
    });
    if ('json' in reply) {
      response.writeHead(reply.code, { 'content-type': 'application/json' });
      response.end(JSON.stringify(reply.json));
    } else {
      response.writeHead(reply.code, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(reply.text);
    }
  }

  private takeFault(method: string, pathname: string): InjectedFault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.left > 0 &&
        (f.method === undefined || f.method === method) &&
        (typeof f.path === 'string' ? f.path === pathname : f.path.test(pathname)),
    );
    if (fault) fault.left -= 1;
    return fault;
  }

  private authenticate(request: http.IncomingMessage): string {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const user = token === undefined ? undefined : this.users[token];
    if (user === undefined) throw unauthorized();
    return user;
  }

  private answer(route: Route, user: string, url: URL, contentType: string, body: string): Reply {
    switch (route.type) {
      case 'version':
        return { code: 200, json: versionInfo() };
      case 'core-versions':
        return { code: 200, json: coreVersions(url.host) };
      case 'group-list':
        return { code: 200, json: groupList(this.catalog) };
      case 'group': {
        const document = group(this.catalog, route.group);
        return document ? { code: 200, json: document } : pageNotFound();
      }
      case 'resource-list': {
        const document = resourceList(this.catalog, route.group, route.version);
        return document ? { code: 200, json: document } : pageNotFound();
      }
      case 'resource': {
        const resource = route.subresource ? `${route.resource}/${route.subresource}` : route.resource;
        // As in a cluster, authorization comes before the resource is even looked up.
        if (this.rules.isForbidden({ ...route, resource })) {
          throw forbidden({
            user,
            verb: route.verb,
            group: route.group,
            resource,
            ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
            ...(route.name !== undefined ? { name: route.name } : {}),
          });
        }
        const definition = this.catalog.find(route.group, route.version, route.resource);
        if (!definition) throw unknownResource();
        return handleObjectRequest(
          { route, definition, query: url.searchParams, contentType, body },
          { store: this.store, podLogs: this.podLogs },
        );
      }
    }
  }

  private definitionOf(apiVersion: string, kind: string): ApiResourceDefinition {
    const definition = this.catalog.findByKind(apiVersion, kind);
    if (!definition) throw new Error(`the fake API server does not serve ${kind} in ${apiVersion}`);
    return definition;
  }

  private locate(ref: ObjectRef): { definition: ApiResourceDefinition; namespace: string } {
    const definition = this.definitionOf(ref.apiVersion, ref.kind);
    return { definition, namespace: definition.namespaced ? (ref.namespace ?? 'default') : '' };
  }
}

const statusReasons: Record<number, StatusReason> = {
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function injected(fault: InjectedFault): StatusError {
  return new StatusError(
    fault.status,
    statusReasons[fault.status] ?? 'InternalError',
    fault.message ?? `injected fault: HTTP ${fault.status}`,
  );
}

function pageNotFound(): Reply {
  return { code: 404, text: '404 page not found\n' };
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function upsertCondition(object: KubeObject, condition: Condition): void {
  const status = (object['status'] ??= {}) as { conditions?: Condition[] };
  const conditions = (status.conditions ??= []);
  const index = conditions.findIndex((c) => c.type === condition.type);
  const previous = index >= 0 ? conditions[index] : undefined;
  const next: Condition = {
    ...condition,
    lastTransitionTime:
      condition.lastTransitionTime ??
      (previous && previous.status === condition.status && previous.lastTransitionTime
        ? previous.lastTransitionTime
        : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')),
  };
  if (index >= 0) conditions[index] = next;
  else conditions.push(next);
}
