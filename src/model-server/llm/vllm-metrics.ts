/**
 * vLLM-style Prometheus metrics of one emulated revision. Names, types and histogram buckets follow
 * vLLM's V1 engine as documented in vllm-project/vllm docs/design/metrics.md (main at commit 0328b592,
 * its release tag not determined; bucket bounds as in vllm/v1/metrics/loggers.py). Both the older
 * `time_per_output_token_seconds` and the newer `inter_token_latency_seconds` histograms are exposed, so
 * clients written for either find theirs.
 */
export const ttftBucketsSeconds = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0,
  80.0, 160.0, 640.0, 2560.0,
] as const;
export const interTokenBucketsSeconds = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
] as const;
export const requestLatencyBucketsSeconds = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0,
  960.0, 1920.0, 7680.0,
] as const;

class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }
  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    this.bounds.forEach((bound, i) => {
      if (seconds <= bound) this.counts[i]!++;
    });
  }
}

/** What one revision has served, rendered as vLLM renders it. */
export class VllmMetrics {
  readonly ttft = new Histogram(ttftBucketsSeconds);
  readonly timePerOutputToken = new Histogram(interTokenBucketsSeconds);
  readonly interToken = new Histogram(interTokenBucketsSeconds);
  readonly e2e = new Histogram(requestLatencyBucketsSeconds);
  readonly queueTime = new Histogram(requestLatencyBucketsSeconds);
  readonly successByReason = new Map<string, number>();
  promptTokens = 0;
  generationTokens = 0;
  running = 0;
  waiting = 0;
  /** Emulated: each running request holds a fixed share of the cache. */
  kvCacheShare = 0.01;

  constructor(private readonly labels: Readonly<Record<string, string>>) {}

  succeeded(reason: 'stop' | 'length' | 'abort'): void {
    this.successByReason.set(reason, (this.successByReason.get(reason) ?? 0) + 1);
  }

  render(): string {
    const lines: string[] = [];
    const gauge = (name: string, help: string, value: number) =>
      lines.push(
        `# HELP ${name} ${help}`,
        `# TYPE ${name} gauge`,
        `${name}${labelSet(this.labels)} ${value}`,
      );
    const counter = (name: string, help: string, value: number) =>
      lines.push(
        `# HELP ${name} ${help}`,
        `# TYPE ${name} counter`,
        `${name}_total${labelSet(this.labels)} ${value}`,
      );
    gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', this.running);
    gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', this.waiting);
    gauge(
      'vllm:kv_cache_usage_perc',
      'KV-cache usage. 1 means 100 percent usage.',
      Math.min(1, this.running * this.kvCacheShare),
    );
    counter('vllm:prompt_tokens', 'Number of prefill tokens processed.', this.promptTokens);
    counter('vllm:generation_tokens', 'Number of generation tokens processed.', this.generationTokens);
    lines.push(
      '# HELP vllm:request_success_total Count of successfully processed requests.',
      '# TYPE vllm:request_success_total counter',
    );
    for (const reason of ['stop', 'length', 'abort']) {
      const labels = { ...this.labels, finished_reason: reason };
      lines.push(`vllm:request_success_total${labelSet(labels)} ${this.successByReason.get(reason) ?? 0}`);
    }
    const histogram = (name: string, help: string, h: Histogram) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      h.bounds.forEach((bound, i) =>
        lines.push(`${name}_bucket${labelSet(this.labels, formatBound(bound))} ${h.counts[i]}`),
      );
      lines.push(`${name}_bucket${labelSet(this.labels, '+Inf')} ${h.count}`);
      lines.push(
        `${name}_sum${labelSet(this.labels)} ${h.sum}`,
        `${name}_count${labelSet(this.labels)} ${h.count}`,
      );
    };
    histogram('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', this.ttft);
    histogram(
      'vllm:time_per_output_token_seconds',
      'Histogram of time per output token in seconds.',
      this.timePerOutputToken,
    );
    histogram(
      'vllm:inter_token_latency_seconds',
      'Histogram of inter-token latency in seconds.',
      this.interToken,
    );
    histogram('vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', this.e2e);
    histogram(
      'vllm:request_queue_time_seconds',
      'Histogram of time spent in WAITING phase for request.',
      this.queueTime,
    );
    return `${lines.join('\n')}\n`;
  }
}

/** Python's prometheus_client writes bounds as floats: 1.0, not 1. */
function formatBound(bound: number): string {
  return Number.isInteger(bound) ? bound.toFixed(1) : String(bound);
}

function labelSet(labels: Readonly<Record<string, string>>, le?: string): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(
      ([name, value]) =>
        `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    );
  if (le !== undefined) pairs.push(`le="${le}"`);
  return `{${pairs.join(',')}}`;
}
