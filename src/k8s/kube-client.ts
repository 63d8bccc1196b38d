/**
 * Where canary's Kubernetes credentials come from, in kubectl's order: an
 * explicit kubeconfig file, then KUBECONFIG (a path list, merged, first wins),
 * then ~/.kube/config, then the pod's service account (in-cluster). The
 * environment is passed in, never read from `process.env`, so tasks stay
 * testable and see only what the caller gives them.
 */
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';

export interface KubeClientOptions {
  /** Environment to read KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST/PORT from. */
  env: Readonly<Record<string, string | undefined>>;
  /** A kubeconfig file that wins over KUBECONFIG (e.g. a `--kubeconfig` flag). */
  kubeconfig?: string;
  /** Context to use instead of the file's current-context. */
  context?: string;
  /** Namespace to use instead of the context's. */
  namespace?: string;
  /** Directory of the mounted service account; the standard path unless a test says otherwise. */
  serviceAccountDir?: string;
}

export interface KubeClient {
  config: KubeConfig;
  /** The namespace requests default to: the override, else the context's, else "default". */
  namespace: string;
  /** API server URL of the current context. */
  server: string;
  contextName: string;
  /** Where the configuration came from, for messages: a file path or "in-cluster service account". */
  source: string;
}

/** No usable configuration: the message says what was tried. */
export class KubeConfigError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'KubeConfigError';
  }
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function loadKubeClient(options: KubeClientOptions): KubeClient {
  const { config, source } = loadConfig(options);
  if (options.context !== undefined) {
    if (!config.getContextObject(options.context)) {
      const known = config.getContexts().map((c) => c.name);
      throw new KubeConfigError(
        `context "${options.context}" is not in ${source}${known.length > 0 ? ` (contexts: ${known.join(', ')})` : ''}`,
      );
    }
    config.setCurrentContext(options.context);
  }
  const contextName = config.getCurrentContext();
  const context = contextName ? config.getContextObject(contextName) : null;
  if (!context) {
    throw new KubeConfigError(
      contextName
        ? `current-context "${contextName}" is not defined in ${source}`
        : `${source} has no current-context; pick one with a context override or \`kubectl config use-context\``,
    );
  }
  const cluster = config.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeConfigError(
      `context "${contextName}" in ${source} names cluster "${context.cluster}", which has no server`,
    );
  }
  return {
    config,
    namespace: options.namespace ?? (context.namespace || 'default'),
    server: cluster.server,
    contextName,
    source,
  };
}

function loadConfig(options: KubeClientOptions): { config: KubeConfig; source: string } {
  if (options.kubeconfig !== undefined) return fromFiles([options.kubeconfig], 'kubeconfig');
  const listed = (options.env['KUBECONFIG'] ?? '').split(path.delimiter).filter((f) => f !== '');
  if (listed.length > 0) return fromFiles(listed, 'KUBECONFIG');
  const home = options.env['HOME'] || options.env['USERPROFILE'];
  const homeConfig = home ? path.join(home, '.kube', 'config') : undefined;
  if (homeConfig && existsSync(homeConfig)) return fromFiles([homeConfig], 'kubeconfig');
  const inCluster = fromServiceAccount(options);
  if (inCluster) return inCluster;
  throw new KubeConfigError(
    `no Kubernetes configuration: KUBECONFIG is not set, ${homeConfig ?? '~/.kube/config'} does not exist, and this is not a pod with a service account (KUBERNETES_SERVICE_HOST is not set)`,
  );
}

/**
 * Loads and merges kubeconfig files as kubectl does: the first file to define a
 * cluster, user or context (or current-context) wins; missing files in a list are skipped.
 */
function fromFiles(files: string[], origin: string): { config: KubeConfig; source: string } {
  const present = files.filter((file) => existsSync(file));
  if (present.length === 0) {
    const what = files.length === 1 ? `file ${files[0]}` : `files ${files.join(', ')}`;
    throw new KubeConfigError(`${origin} ${what} does not exist`);
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters: [], users: [], contexts: [], currentContext: '' });
  for (const file of present) {
    const config = new KubeConfig();
    try {
      config.loadFromFile(file);
    } catch (error) {
      throw new KubeConfigError(`cannot read kubeconfig ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    mergeFirstWins(merged, config);
  }
  return { config: merged, source: present.length === 1 ? present[0]! : present.join(path.delimiter) };
}

function mergeFirstWins(into: KubeConfig, from: KubeConfig): void {
  if (!into.currentContext && from.currentContext) into.currentContext = from.currentContext;
  const add = <T extends Cluster | User | Context>(list: T[], items: T[]) => {
    for (const item of items) if (!list.some((known) => known.name === item.name)) list.push(item);
  };
  add(into.clusters, from.clusters);
  add(into.users, from.users);
  add(into.contexts, from.contexts);
}

/**
 * The pod's service account, from the given environment (client-node's own
 * loadFromCluster reads process.env). The token file is re-read per request,
 * so projected tokens that rotate keep working.
 */
function fromServiceAccount(options: KubeClientOptions): { config: KubeConfig; source: string } | undefined {
  const host = options.env['KUBERNETES_SERVICE_HOST'];
  const port = options.env['KUBERNETES_SERVICE_PORT'];
  // CANARY_SERVICE_ACCOUNT_DIR: where a pod simulation (which cannot write /var/run) mounted it.
  const dir = options.serviceAccountDir ?? (options.env['CANARY_SERVICE_ACCOUNT_DIR'] || SERVICE_ACCOUNT_DIR);
  const tokenFile = path.join(dir, 'token');
  if (!host || !port || !existsSync(tokenFile)) return undefined;
  const namespaceFile = path.join(dir, 'namespace');
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined;
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  const serverHost = net.isIPv6(host) ? `[${host}]` : host;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [
      {
        name: 'in-cluster',
        server: `${scheme}://${serverHost}:${port}`,
        caFile: path.join(dir, 'ca.crt'),
        // client-node refuses plain http unless this is set; there is no TLS to verify then.
        skipTLSVerify: scheme === 'http',
      },
    ],
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [
      { name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster', ...(namespace ? { namespace } : {}) },
    ],
    currentContext: 'in-cluster',
  });
  return { config, source: 'in-cluster service account' };
}
