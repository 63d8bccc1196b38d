import type protobuf from 'protobufjs';
import { closeMatches } from '../../k8s/close-matches.js';

export interface ResolvedMethod {
  /** `/package.Service/Method`, the HTTP/2 path. */
  path: string;
  requestType: protobuf.Type;
  responseType: protobuf.Type;
  streaming: boolean;
}

export class CallProblem extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CallProblem';
  }
}

/** `package.Service.Method` or `package.Service/Method`, as ghz takes it. */
export function resolveMethod(root: protobuf.Root, call: string): ResolvedMethod {
  const normalized = call.replace(/^\//, '').replace('/', '.');
  const cut = normalized.lastIndexOf('.');
  const serviceName = normalized.slice(0, cut);
  const methodName = normalized.slice(cut + 1);
  const methods = listMethods(root);
  const method = methods.get(`${serviceName}.${methodName}`);
  if (cut <= 0 || !method) {
    const suggestions = closeMatches(normalized, methods.keys());
    const known = [...methods.keys()];
    throw new CallProblem(
      `no method ${JSON.stringify(call)} in the proto`,
      suggestions.length > 0
        ? `did you mean ${suggestions.join(' or ')}?`
        : known.length > 0
          ? `methods: ${known.slice(0, 10).join(', ')}`
          : 'the proto defines no service',
    );
  }
  return {
    path: `/${serviceName}/${methodName}`,
    requestType: method.resolvedRequestType!,
    responseType: method.resolvedResponseType!,
    streaming: Boolean(method.requestStream || method.responseStream),
  };
}

/** Every method by `package.Service.Method`. */
function listMethods(root: protobuf.Root): Map<string, protobuf.Method> {
  const methods = new Map<string, protobuf.Method>();
  const visit = (namespace: protobuf.NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      if ('methods' in nested) {
        const service = nested as protobuf.Service;
        const name = service.fullName.replace(/^\./, '');
        for (const method of service.methodsArray) methods.set(`${name}.${method.name}`, method);
      }
      if ('nestedArray' in nested) visit(nested as protobuf.NamespaceBase);
    }
  };
  visit(root);
  return methods;
}
