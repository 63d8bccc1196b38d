/**
 * A kubeconfig file pointing at a fake API server (plain HTTP, bearer token),
 * for tests to hand to `KubeConfig.loadFromFile` or to code that reads KUBECONFIG.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  /** `http://127.0.0.1:<port>`: the fake server's `url`. */
  server: string;
  token: string;
  /** The context's default namespace; none means "default". */
  namespace?: string;
  /** Name of the context (and of its cluster and user). Default "fake". */
  contextName?: string;
  /** PEM certificate the https server is verified against. */
  ca?: string;
}

/** The kubeconfig document itself, for tests that add contexts of their own. */
export function kubeconfigDocument(options: KubeconfigOptions): Record<string, unknown> {
  const name = options.contextName ?? 'fake';
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    // client-node refuses plain http unless TLS verification is off, as it is for `kubectl proxy` URLs.
    clusters: [
      {
        name,
        cluster: {
          server: options.server,
          ...(options.server.startsWith('http:') ? { 'insecure-skip-tls-verify': true } : {}),
          ...(options.ca !== undefined
            ? { 'certificate-authority-data': Buffer.from(options.ca).toString('base64') }
            : {}),
        },
      },
    ],
    users: [{ name, user: { token: options.token } }],
    contexts: [
      {
        name,
        context: {
          cluster: name,
          user: name,
          ...(options.namespace ? { namespace: options.namespace } : {}),
        },
      },
    ],
    'current-context': name,
  };
}

/** Writes the kubeconfig to `file` (creating its directory) and returns the path. */
export async function writeKubeconfig(file: string, options: KubeconfigOptions): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, stringify(kubeconfigDocument(options)), { mode: 0o600 });
  return file;
}
