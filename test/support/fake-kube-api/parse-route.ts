/**
 * What a request asks for, from its method and path, the way the API server's
 * RequestInfoResolver reads it: discovery documents, or a verb on a resource.
 */

export type Route =
  | { type: 'version' }
  | { type: 'core-versions' }
  | { type: 'group-list' }
  | { type: 'group'; group: string }
  | { type: 'resource-list'; group: string; version: string }
  | ResourceRoute;

export interface ResourceRoute {
  type: 'resource';
  /** RBAC verb: get, list, watch, create, update, patch, delete, deletecollection. */
  verb: string;
  group: string;
  version: string;
  resource: string;
  /** Absent for cluster-scoped resources and for lists across namespaces. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function parseRoute(method: string, url: URL): Route | undefined {
  const segments = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
  if (segments.length === 1 && segments[0] === 'version') return { type: 'version' };
  const [root, ...rest] = segments;
  if (root === 'api') {
    if (rest.length === 0) return { type: 'core-versions' };
    const [version, ...path] = rest;
    return apiRoute(method, url, '', version!, path);
  }
  if (root === 'apis') {
    if (rest.length === 0) return { type: 'group-list' };
    const [group, version, ...path] = rest;
    if (version === undefined) return { type: 'group', group: group! };
    return apiRoute(method, url, group!, version, path);
  }
  return undefined;
}

function apiRoute(
  method: string,
  url: URL,
  group: string,
  version: string,
  path: string[],
): Route | undefined {
  if (path.length === 0) return { type: 'resource-list', group, version };
  let namespace: string | undefined;
  let rest = path;
  if (path[0] === 'namespaces' && path.length >= 3) {
    namespace = path[1];
    rest = path.slice(2);
  }
  if (rest.length > 3) return undefined;
  const [resource, name, subresource] = rest;
  const verb = verbOf(method, name !== undefined, url.searchParams.get('watch') === 'true');
  if (verb === undefined) return undefined;
  return {
    type: 'resource',
    verb,
    group,
    version,
    resource: resource!,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}

function verbOf(method: string, named: boolean, watch: boolean): string | undefined {
  switch (method) {
    case 'GET':
      if (watch) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}
