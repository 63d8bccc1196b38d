/**
 * `Status` bodies exactly as the Kubernetes API server writes them
 * (k8s.io/apimachinery/pkg/api/errors), so clients parse what they would in a cluster.
 */
import { qualifiedResource, type ApiResourceDefinition } from './api-resources.js';

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Forbidden'
  | 'Unauthorized'
  | 'BadRequest'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'TooManyRequests'
  | 'Timeout';

export interface StatusDetails {
  name?: string;
  group?: string;
  /** Kubernetes puts the resource (plural) here, not the kind, for most errors. */
  kind?: string;
  uid?: string;
  causes?: Array<{ reason: string; message: string; field: string }>;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** Thrown inside request handlers; the server answers with its body and code. */
export class StatusError extends Error {
  readonly body: StatusBody;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'StatusError';
    this.body = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    };
  }
}

type ResourceRef = Pick<ApiResourceDefinition, 'group' | 'name'>;

/** `{name, group, kind}` with the empty core group left out, as Go's omitempty does. */
function detailsOf(definition: ResourceRef, name: string): StatusDetails {
  return {
    ...(name !== '' ? { name } : {}),
    ...(definition.group !== '' ? { group: definition.group } : {}),
    kind: definition.name,
  };
}

export function notFound(definition: ResourceRef, name: string): StatusError {
  return new StatusError(
    404,
    'NotFound',
    `${qualifiedResource(definition)} "${name}" not found`,
    detailsOf(definition, name),
  );
}

export function alreadyExists(definition: ResourceRef, name: string): StatusError {
  return new StatusError(
    409,
    'AlreadyExists',
    `${qualifiedResource(definition)} "${name}" already exists`,
    detailsOf(definition, name),
  );
}

export function conflict(definition: ResourceRef, name: string, detail?: string): StatusError {
  const why =
    detail ?? 'the object has been modified; please apply your changes to the latest version and try again';
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(definition)} "${name}": ${why}`,
    detailsOf(definition, name),
  );
}

export interface ForbiddenRequest {
  user: string;
  verb: string;
  group: string;
  /** Plural, with the subresource when there is one: `pods/log`. */
  resource: string;
  namespace?: string;
  name?: string;
}

/** The RBAC authorizer's wording, e.g. `pods "p" is forbidden: User "u" cannot get resource "pods" in API group "" in the namespace "ns"`. */
export function forbidden(request: ForbiddenRequest): StatusError {
  const base = request.resource.split('/')[0] ?? request.resource;
  const subject = qualifiedResource({ group: request.group, name: base });
  const named = request.name ? `${subject} "${request.name}"` : subject;
  const scope =
    request.namespace !== undefined && request.namespace !== ''
      ? `in the namespace "${request.namespace}"`
      : 'at the cluster scope';
  return new StatusError(
    403,
    'Forbidden',
    `${named} is forbidden: User "${request.user}" cannot ${request.verb} resource "${request.resource}" in API group "${request.group}" ${scope}`,
    detailsOf({ group: request.group, name: base }, request.name ?? ''),
  );
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function invalid(
  definition: Pick<ApiResourceDefinition, 'group' | 'kind'>,
  name: string,
  field: string,
  detail: string,
): StatusError {
  const kind = definition.group === '' ? definition.kind : `${definition.kind}.${definition.group}`;
  return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${field}: ${detail}`, {
    ...(name !== '' ? { name } : {}),
    ...(definition.group !== '' ? { group: definition.group } : {}),
    kind: definition.kind,
    causes: [{ reason: 'FieldValueInvalid', message: detail, field }],
  });
}

export function methodNotAllowed(): StatusError {
  return new StatusError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

export function unknownResource(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource');
}

/** Custom resources have no patch strategy for lists, so their API refuses strategic merge. */
export function unsupportedMediaType(contentType: string, custom = false): StatusError {
  const accepted = [
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/apply-patch+yaml',
    ...(custom ? [] : ['application/strategic-merge-patch+json']),
  ];
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format (${contentType || 'none'}) - accepted media types include: ${accepted.join(', ')}`,
  );
}

/** The `Status` a successful delete of a custom resource answers with. */
export function deleted(
  definition: ResourceRef,
  name: string,
  uid: string,
): Omit<StatusBody, 'code'> & {
  code?: number;
} {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { ...detailsOf(definition, name), uid },
  };
}
