import type { ServedVersion } from './start-model-server.js';

export interface BannerVersion {
  role: string;
  version: ServedVersion;
  /** e.g. "delay 50 ms, error rate 0.1"; empty when the version is left alone. */
  faults: string;
}

/** What `canary serve-model` prints once it listens: URLs, a curl to paste, scrape targets. */
export function formatServeBanner(modelName: string, versions: readonly BannerVersion[]): string[] {
  const width = Math.max(...versions.map((v) => v.role.length));
  const lines = [
    `Serving model "${modelName}" (KServe V1 and V2 protocols, V2 over gRPC too) with Knative queue-proxy metrics:`,
  ];
  for (const { role, version, faults } of versions) {
    lines.push(
      `  ${role.padEnd(width)}  ${version.revisionName}  ${version.model}${faults ? ` (${faults})` : ''}`,
      `  ${''.padEnd(width)}    predict  ${version.predictUrl}`,
      `  ${''.padEnd(width)}    infer    ${version.inferUrl}`,
      `  ${''.padEnd(width)}    metrics  ${version.metricsUrl}`,
      `  ${''.padEnd(width)}    grpc     ${version.grpcTarget}  inference.GRPCInferenceService (KServe V2)`,
    );
  }
  const first = versions[0]?.version;
  if (first) {
    const body = '{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}';
    lines.push(
      '',
      'Try it (expect {"predictions":[1,1]}: both are versicolor):',
      `  curl -s -H 'Content-Type: application/json' -d '${body}' ${first.predictUrl}`,
      `  curl -s ${first.metricsUrl}`,
    );
  }
  lines.push(
    '',
    `Prometheus scrape targets: ${versions.map((v) => new URL(v.version.url).host).join(', ')}`,
    'Press Ctrl-C to stop.',
  );
  return lines;
}

/** "delay 50 ms, error rate 0.1", or "" when neither is set. */
export function describeFaults(delayMs: number, errorRate: number): string {
  const parts: string[] = [];
  if (delayMs > 0) parts.push(`delay ${delayMs} ms`);
  if (errorRate > 0) parts.push(`error rate ${errorRate}`);
  return parts.join(', ');
}
