import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { runCli } from '../cli/cli-harness.js';

/**
 * A day a week ago, scraped every 5 minutes: from 00:00 to 12:00 the revision serves 10 requests per
 * scrape at 20 ms, all fine; from 12:00 to 24:00 it serves 30 per scrape at 50 ms, 3 of them 5xx.
 * Counters are cumulative, as the Knative queue-proxy exports them.
 */
const day = Math.floor(Date.now() / 86_400_000) * 86_400 - 7 * 86_400;
const scrapeSeconds = 300;
const hour = (h: number) => day + h * 3600;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
const labels = 'revision_name="r1",service_name="iris"';
const bucketBounds = ['25.0', '100.0', '+Inf'];

interface Counts {
  ok: number;
  okSum: number;
  errors: number;
  errorSum: number;
  /** Requests at or under 25 ms. */
  fast: number;
}

/** Cumulative counters at `t` (seconds): what the last scrape at or before t saw. */
function countsAt(t: number): Counts {
  const scrapes = Math.floor((Math.min(t, hour(24)) - day) / scrapeSeconds);
  const first = Math.min(scrapes, 144);
  const second = Math.max(0, scrapes - 144);
  return {
    ok: 10 * first + 27 * second,
    okSum: 200 * first + 27 * 50 * second,
    errors: 3 * second,
    errorSum: 3 * 50 * second,
    fast: 10 * first,
  };
}

/** What the kserve-prometheus template must report when evaluated at `t` (startingTime: the day's start). */
function expectedAt(t: number) {
  const c = countsAt(t);
  const requests = c.ok + c.errors;
  return {
    'request-count': requests,
    'error-count': c.errors,
    'error-rate': c.errors / requests,
    'latency-mean': (c.okSum + c.errorSum) / requests,
  };
}

function openMetrics(): string {
  const lines = ['# TYPE revision_app_request_latencies histogram'];
  const series = [
    { code: '200', klass: '2xx', from: day, counts: (c: Counts) => [c.ok, c.okSum, c.fast] },
    // The 5xx series appears at noon; its requests take 50 ms, so none is fast.
    { code: '500', klass: '5xx', from: hour(12), counts: (c: Counts) => [c.errors, c.errorSum, 0] },
  ];
  for (const s of series) {
    const all = `${labels},response_code="${s.code}",response_code_class="${s.klass}"`;
    const samples: Array<[number, number[]]> = [];
    for (let t = s.from + scrapeSeconds; t <= hour(24); t += scrapeSeconds)
      samples.push([t, s.counts(countsAt(t))]);
    for (const [i, le] of bucketBounds.entries()) {
      for (const [t, [count, , fast]] of samples) {
        const value = i === 0 ? fast! : count!;
        lines.push(`revision_app_request_latencies_bucket{${all},le="${le}"} ${value} ${t}`);
      }
    }
    for (const [t, [count]] of samples)
      lines.push(`revision_app_request_latencies_count{${all}} ${count} ${t}`);
    for (const [t, [, sum]] of samples) lines.push(`revision_app_request_latencies_sum{${all}} ${sum} ${t}`);
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

let prometheus: PrometheusServer;
let dir: string;

const goTemplate = `url: {{ .prometheusURL }}
metrics:
- name: requests-3h-earlier
  params:
  - name: query
    value: sum(last_over_time(revision_app_request_latencies_count[{{ .elapsedTimeSeconds }}s]))
  - name: time
    value: "{{ sub .evaluationTimestamp 10800 }}"
  jqExpression: .data.result[0].value[1] | tonumber
- name: evaluation-timestamp
  params:
  - name: query
    value: vector({{ .evaluationTimestamp }})
  jqExpression: .data.result[0].value[1] | tonumber
- name: answered-at
  params:
  - name: query
    value: vector(1)
  jqExpression: .data.result[0].value[0]
`;

// A query_range answer is not an instant query: canary leaves it alone, the template picks the times.
const rangeTemplate = `{#- canary-template: nunjucks -#}
url: {{ prometheusURL | replace("/api/v1/query", "/api/v1/query_range") | dump }}
metrics:
- name: requests
  params:
  - name: query
    value: sum(revision_app_request_latencies_count)
  - name: start
    value: {{ evaluationTime | dump }}
  - name: end
    value: {{ evaluationTime | dump }}
  - name: step
    value: "60"
  jqExpression: .data.result[0].values[0][1] | tonumber
`;

function experiment(name: string, startingTime: string | undefined): string {
  return `apiVersion: canary/v1
kind: Experiment
metadata: {name: ${name}}
spec:
  schedule: '*/5 * * * *'
  maxLoops: 1
  versions: [candidate]
  tasks:
    - id: ready
      task: ready
      with: {resource: inferenceservices, name: iris, condition: Ready}
    - id: load
      task: http
      with:
        endpoints: {candidate: {url: "http://127.0.0.1:9/never"}}
    - id: metrics
      task: custommetrics
      with:
        templates:
          kserve-prometheus: builtin:kserve-prometheus
          go: retro.tpl
          range: range.njk
        values:
          prometheusURL: ${prometheus.queryUrl}
${startingTime ? `          startingTime: "${startingTime}"\n` : ''}          labels: {service_name: iris, revision_name: r1}
    - task: assess
      with:
        SLOs:
          upper:
            kserve-prometheus/error-rate: 0.05
`;
}

interface Loop {
  loop: number;
  status: string;
  start: string;
  experimentStart: string;
  retrospective?: { at: string };
  tasks: Array<{ id: string; status: string; message?: string }>;
  metrics: Array<Record<string, { value: number | string | null; query?: string; reason?: string }>>;
  slos: Array<{ metric: string; status: string }>;
}

async function loopsOf(file: string): Promise<Loop[]> {
  return (await readFile(path.join(dir, file), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { kind: string })
    .filter((r): r is Loop & { kind: 'loop' } => r.kind === 'loop');
}

function valueOf(loop: Loop, metric: string): number | string | null | undefined {
  const stored = loop.metrics[0]?.[metric];
  return stored?.value;
}

beforeAll(async () => {
  prometheus = await startPrometheus({ openMetrics: openMetrics() });
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-retro-'));
  await writeFile(path.join(dir, 'retro.tpl'), goTemplate);
  await writeFile(path.join(dir, 'range.njk'), rangeTemplate);
  await writeFile(path.join(dir, 'retro.yaml'), experiment('retro', iso(day)));
  await writeFile(path.join(dir, 'from-window.yaml'), experiment('from-window', undefined));
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('canary run --at against a real Prometheus holding last week’s data', () => {
  it.each([
    ['in the quiet morning', hour(6)],
    ['between two scrapes', hour(6) + 150],
    ['in the busy afternoon', hour(18)],
  ])('%s, the metrics are exactly those of that time', async (_when, at) => {
    const results = `at-${at}.jsonl`;
    const result = await runCli(['run', 'retro.yaml', '--at', iso(at), '--results', results], { cwd: dir });
    const [loop, ...more] = await loopsOf(results);
    expect(more).toEqual([]);
    expect(loop!.status, JSON.stringify(loop!.tasks)).toBe('completed');
    expect(loop!.retrospective).toEqual({ at: new Date(at * 1000).toISOString() });
    for (const [metric, value] of Object.entries(expectedAt(at))) {
      expect(valueOf(loop!, `kserve-prometheus/${metric}`), metric).toBeCloseTo(value, 9);
    }
    // elapsedTimeSeconds counts from startingTime to the evaluation time, not to now.
    expect(loop!.metrics[0]!['kserve-prometheus/request-count']!.query).toContain(`[${at - day}s]`);
    // Go templates get the time as an integer and may pick their own query time, which canary keeps.
    expect(valueOf(loop!, 'go/evaluation-timestamp')).toBe(at);
    expect(Number(valueOf(loop!, 'go/answered-at'))).toBe(at);
    expect(valueOf(loop!, 'go/requests-3h-earlier')).toBe(expectedAt(at - 10_800)['request-count']);
    // A nunjucks template reads the RFC 3339 time for an API that is not an instant query.
    expect(valueOf(loop!, 'range/requests')).toBe(expectedAt(at)['request-count']);
    // Tasks that act on the present did not run, and said why.
    expect(loop!.tasks.map((t) => `${t.id} ${t.status}`)).toEqual([
      'ready skipped',
      'load skipped',
      'metrics completed',
      'assess completed',
    ]);
    expect(loop!.tasks[1]!.message).toBe(
      `retrospective loop (evaluating ${new Date(at * 1000).toISOString()}): the http task acts on the present, so it does not run`,
    );
    const failing = expectedAt(at)['error-rate'] > 0.05;
    expect(loop!.slos.map((s) => s.status)).toEqual([failing ? 'fail' : 'pass']);
    expect(result.code, result.stderr).toBe(failing ? 1 : 0);
    expect(result.stderr).toContain(`canary: retrospective run: 1 loop evaluating ${iso(at)}`);
    expect(result.stderr).toContain('canary: spec.schedule "*/5 * * * *" is not used by a retrospective run');
  });
});

describe('canary run --from --to --step against a real Prometheus', () => {
  it('runs one loop per step, each evaluated at its time, and shows how the SLO would have voted', async () => {
    const result = await runCli(
      [
        'run',
        'retro.yaml',
        '--from',
        iso(hour(2)),
        '--to',
        iso(hour(22)),
        '--step',
        '4h',
        '--results',
        'window.jsonl',
      ],
      { cwd: dir },
    );
    const loops = await loopsOf('window.jsonl');
    const hours = [2, 6, 10, 14, 18, 22];
    // maxLoops: 1 does not cap the window, and nothing waited for the cron schedule.
    expect(loops.map((l) => l.loop)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(loops.map((l) => l.retrospective?.at)).toEqual(
      hours.map((h) => new Date(hour(h) * 1000).toISOString()),
    );
    expect(loops.map((l) => valueOf(l, 'kserve-prometheus/request-count'))).toEqual([
      240, 720, 1200, 2160, 3600, 5040,
    ]);
    expect(loops.map((l) => valueOf(l, 'kserve-prometheus/error-count'))).toEqual([0, 0, 0, 72, 216, 360]);
    for (const [i, h] of hours.entries()) {
      expect(valueOf(loops[i]!, 'kserve-prometheus/latency-mean'), `${h}h`).toBeCloseTo(
        expectedAt(hour(h))['latency-mean'],
        9,
      );
    }
    // The error rate crosses 5% between 14:00 (3.3%) and 18:00 (6%).
    expect(loops.map((l) => l.slos[0]!.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'fail', 'fail']);
    for (const loop of loops) {
      expect(loop.tasks.filter((t) => t.status === 'skipped').map((t) => t.id)).toEqual(['ready', 'load']);
      // start stays wall-clock.
      expect(Date.now() - Date.parse(loop.start)).toBeLessThan(120_000);
    }
    expect(result.code).toBe(1); // the latest loop violates the SLO
    expect(result.stderr).toContain(
      `retrospective run: 6 loops evaluating ${iso(hour(2))} to ${iso(hour(22))}`,
    );
    expect(result.stderr).toContain(`loop 6 started (retrospective: evaluating ${iso(hour(22))})`);
  });

  it('without startingTime, elapsedTimeSeconds counts from --from (and --json events carry the time)', async () => {
    const result = await runCli(
      ['run', 'from-window.yaml', '--from', iso(hour(10)), '--to', iso(hour(18)), '--step', '4h', '--json'],
      { cwd: dir },
    );
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; retrospectiveAt?: string | null });
    const times = [10, 14, 18].map((h) => new Date(hour(h) * 1000).toISOString());
    for (const type of ['loop-start', 'loop-end'])
      expect(events.filter((e) => e.event === type).map((e) => e.retrospectiveAt)).toEqual(times);
    const loops = await loopsOf('canary-results/from-window.jsonl');
    expect(loops.map((l) => l.experimentStart)).toEqual(
      Array(3).fill(new Date(hour(10) * 1000).toISOString()),
    );
    expect(loops.map((l) => l.metrics[0]!['kserve-prometheus/request-count']!.query)).toEqual([
      expect.stringContaining('[1s]'), // the first loop is the experiment's start: the 1 s minimum window
      expect.stringContaining('[14400s]'),
      expect.stringContaining('[28800s]'),
    ]);
    // Counters are cumulative: the last value in the window is the total whatever its length.
    expect(loops.map((l) => valueOf(l, 'kserve-prometheus/request-count'))).toEqual([1200, 2160, 3600]);
  });
});

// Every rule has a unit test (test/cli/retrospective-window.test.ts); these check the CLI's exit.
describe('retrospective flag mistakes', () => {
  it.each([
    [['--at', '2026-11-01'], '--at "2026-11-01" is not a time'],
    [['--at', iso(hour(6)), '--from', iso(hour(2))], '--at cannot be combined with --from'],
    [['--from', iso(hour(0)), '--to', iso(hour(24)), '--step', '1s'], 'makes 86401 loops; at most 10000'],
  ])('%j: usage error, exit 2, nothing written', async (flags, message) => {
    const result = await runCli(['run', 'retro.yaml', ...flags, '--results', 'mistake.jsonl'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^canary: --/m);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    await expect(stat(path.join(dir, 'mistake.jsonl'))).rejects.toThrow();
  });

  it('--dry-run shows the window and the tasks it would skip', async () => {
    const result = await runCli(
      ['run', 'retro.yaml', '--dry-run', '--from', iso(hour(2)), '--to', iso(hour(22)), '--step', '4h'],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).retrospective).toEqual({
      loops: 6,
      first: iso(hour(2)),
      last: iso(hour(22)),
      skippedTasks: ['ready', 'load'],
    });
  });
});
