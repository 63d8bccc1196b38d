/**
 * The one outbound HTTP stack (metrics backends, notifications, template and payload fetches):
 * one keep-alive pool per TLS and proxy setting, shared by every request of a run, so
 * 2 versions × 50 metrics reuse a handful of connections instead of opening 100.
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) come from the caller's environment,
 * never from process.env, so tasks keep touching env only through their context.
 */
import { Agent, type Dispatcher, EnvHttpProxyAgent } from 'undici';
import { redactUrlUserinfo } from './url-secrets.js';

export interface HttpTls {
  /** PEM certificate(s) of the CA that signed the server's certificate; replaces the system CAs. */
  ca?: string;
  /** Skip certificate verification (self-signed test setups only). */
  insecure?: boolean;
}

export type HttpEnv = Readonly<Record<string, string | undefined>>;

export interface ProxySettings {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

const KEEP_ALIVE_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;

const dispatchers = new Map<string, Dispatcher>();

/** Lower case wins, as in curl and undici; an empty value counts as unset. */
function envValue(env: HttpEnv, name: string): { name: string; value: string } | undefined {
  for (const variable of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[variable]?.trim();
    if (value) return { name: variable, value };
  }
  return undefined;
}

/** A proxy URL as curl takes it (`proxy.corp:3128` means http); its credentials never reach a message. */
function proxyUrl(setting: { name: string; value: string } | undefined): string {
  if (setting === undefined) return '';
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(setting.value) ? setting.value : `http://${setting.value}`;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new Error(
      `${setting.name} is not a proxy URL (${redactUrlUserinfo(setting.value)}): ` +
        'set it like http://proxy.example.com:3128, or unset it',
    );
  }
  return text;
}

/** The proxy variables of `env`, or undefined when neither HTTP_PROXY nor HTTPS_PROXY is set. */
export function proxySettings(env: HttpEnv = {}): ProxySettings | undefined {
  const httpProxy = proxyUrl(envValue(env, 'http_proxy'));
  const httpsProxy = proxyUrl(envValue(env, 'https_proxy'));
  if (!httpProxy && !httpsProxy) return undefined;
  return { httpProxy, httpsProxy, noProxy: envValue(env, 'no_proxy')?.value ?? '' };
}

export function getHttpDispatcher(tls: HttpTls = {}, env: HttpEnv = {}): Dispatcher {
  const proxy = proxySettings(env);
  const key = JSON.stringify([tls.ca ?? null, tls.insecure === true, proxy ?? null]);
  let dispatcher = dispatchers.get(key);
  if (dispatcher === undefined) {
    dispatcher = createDispatcher(tls, proxy);
    dispatchers.set(key, dispatcher);
  }
  return dispatcher;
}

function createDispatcher(tls: HttpTls, proxy: ProxySettings | undefined): Dispatcher {
  const serverTls = {
    rejectUnauthorized: tls.insecure !== true,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
  };
  const connect = { timeout: CONNECT_TIMEOUT_MS, ...serverTls };
  if (proxy === undefined) return new Agent({ keepAliveTimeout: KEEP_ALIVE_MS, connect });
  // Explicit values (empty strings for unset ones) keep undici from reading process.env itself.
  // `connect` applies to direct connections; `requestTls` to the server behind a CONNECT tunnel.
  // (undici's typings omit requestTls here, though it reaches each ProxyAgent.)
  const options: EnvHttpProxyAgent.Options & { requestTls: typeof serverTls } = {
    keepAliveTimeout: KEEP_ALIVE_MS,
    connect,
    requestTls: serverTls,
    httpProxy: proxy.httpProxy,
    httpsProxy: proxy.httpsProxy,
    noProxy: proxy.noProxy,
  };
  return withoutExperimentalNotice(() => new EnvHttpProxyAgent(options));
}

/**
 * undici 6 prints "EnvHttpProxyAgent is experimental" on stderr the first time one is made. canary
 * pins undici and tests the agent, so the notice tells a user nothing, and it would break the
 * promise that only canary's own lines reach stderr. Every other warning passes through.
 */
function withoutExperimentalNotice<T>(make: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (warning: string | Error, ...rest: unknown[]) {
    const options = rest[0];
    const code =
      typeof options === 'object' && options !== null ? (options as { code?: unknown }).code : undefined;
    if (code === 'UNDICI-EHPA') return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return make();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** Closes every pooled connection (end of a run, end of a test file). */
export async function closeHttpConnections(): Promise<void> {
  const closing = [...dispatchers.values()];
  dispatchers.clear();
  await Promise.all(closing.map((dispatcher) => dispatcher.close()));
}
