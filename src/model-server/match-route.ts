/** The endpoints a revision serves: KServe V1 and V2 (Open Inference Protocol), plus /metrics. */
export type RouteKind =
  | 'alive'
  | 'metrics'
  | 'v1-models'
  | 'v1-model'
  | 'v1-predict'
  | 'v2-server'
  | 'v2-live'
  | 'v2-ready'
  | 'v2-model'
  | 'v2-model-ready'
  | 'v2-infer';

export interface MatchedRoute {
  kind: RouteKind;
  /** The method the endpoint answers. */
  method: 'GET' | 'POST';
  /** The model named in the path, for model endpoints. */
  model?: string;
}

const routes: Array<{ pattern: RegExp; kind: RouteKind; method: 'GET' | 'POST' }> = [
  { pattern: /^\/$/, kind: 'alive', method: 'GET' },
  { pattern: /^\/metrics$/, kind: 'metrics', method: 'GET' },
  { pattern: /^\/v1\/models$/, kind: 'v1-models', method: 'GET' },
  { pattern: /^\/v1\/models\/([^/:]+):predict$/, kind: 'v1-predict', method: 'POST' },
  { pattern: /^\/v1\/models\/([^/:]+)$/, kind: 'v1-model', method: 'GET' },
  { pattern: /^\/v2$/, kind: 'v2-server', method: 'GET' },
  { pattern: /^\/v2\/health\/live$/, kind: 'v2-live', method: 'GET' },
  { pattern: /^\/v2\/health\/ready$/, kind: 'v2-ready', method: 'GET' },
  { pattern: /^\/v2\/models\/([^/]+)\/infer$/, kind: 'v2-infer', method: 'POST' },
  { pattern: /^\/v2\/models\/([^/]+)\/ready$/, kind: 'v2-model-ready', method: 'GET' },
  { pattern: /^\/v2\/models\/([^/]+)$/, kind: 'v2-model', method: 'GET' },
];

/** The route for a request path (query string already removed), or undefined. */
export function matchRoute(pathname: string): MatchedRoute | undefined {
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    const encoded = match[1];
    if (encoded === undefined) return { kind: route.kind, method: route.method };
    const model = safeDecode(encoded);
    if (model === undefined) return undefined;
    return { kind: route.kind, method: route.method, model };
  }
  return undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined; // malformed %-escape: no such route
  }
}
