import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A real Prometheus server on a free loopback port, with its own config and data directory, for
 * `canary demo` and the tests. Needs `prometheus` (and `promtool` for data sets) on the PATH.
 */
export interface PrometheusServer {
  url: string;
  queryUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Build TSDB blocks from an OpenMetrics text (ending with `# EOF`), exactly as written. */
export async function createBlocks(openMetrics: string, dataDir: string): Promise<void> {
  const input = path.join(dataDir, '..', `input-${Date.now()}.om`);
  await writeFile(input, openMetrics.endsWith('# EOF\n') ? openMetrics : `${openMetrics.trimEnd()}\n# EOF\n`);
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', input, dataDir]);
}

export interface StartOptions {
  /** OpenMetrics samples to load as blocks before start. */
  openMetrics?: string;
  /** Static scrape targets (host:port), scraped every scrapeInterval. */
  scrapeTargets?: string[];
  scrapeInterval?: string;
}

export async function startPrometheus(options: StartOptions = {}): Promise<PrometheusServer> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'canary-prom-'));
  const dataDir = path.join(root, 'data');
  if (options.openMetrics) await createBlocks(options.openMetrics, dataDir);
  const interval = options.scrapeInterval ?? '1s';
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    ...(options.scrapeTargets?.length
      ? [
          '  - job_name: targets',
          '    static_configs:',
          `      - targets: [${options.scrapeTargets.map((t) => `"${t}"`).join(', ')}]`,
        ]
      : []),
  ].join('\n');
  const configFile = path.join(root, 'prometheus.yml');
  await writeFile(configFile, `${config}\n`);
  const port = await freePort();
  const child = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=30d',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopProcess(child);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url, child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, queryUrl: `${url}/api/v1/query`, dataDir, stop };
}

async function waitUntilReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`prometheus did not become ready in 30 s: ${stderr()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Wait (bounded) until Prometheus has scraped every target once, so a first loop has data. */
export async function waitForTargets(
  server: PrometheusServer,
  count: number,
  timeoutMs = 15_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const answer = (await queryPrometheus(server, 'count(up == 1)')) as {
        data?: { result?: Array<{ value: [number, string] }> };
      };
      if (Number(answer.data?.result?.[0]?.value[1] ?? 0) >= count) return true;
    } catch {
      // not answering yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/** Whether a `prometheus` binary is on the PATH. */
export async function hasPrometheus(): Promise<boolean> {
  try {
    await run('prometheus', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/** Instant query helper for assertions. */
export async function queryPrometheus(server: PrometheusServer, query: string): Promise<unknown> {
  const response = await fetch(`${server.queryUrl}?query=${encodeURIComponent(query)}`);
  return response.json();
}
