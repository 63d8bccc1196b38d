import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TaskError } from '../../errors.js';
import { extractManyWithJq } from '../../metrics/backend/jq.js';
import {
  httpTransport,
  queryBackend,
  type BackendTls,
  type RawResponse,
  type Transport,
} from '../../metrics/backend/http-query.js';
import { ExchangeLog } from '../../metrics/fixtures/fixture-recorder.js';
import { requestOf, type FixtureReplay } from '../../metrics/fixtures/fixture-replay.js';
import type { RecordedRequest } from '../../metrics/fixtures/fixture-format.js';
import type { TemplateReference } from '../../metrics/templates/template-source.js';
import { createQueryPool } from '../../metrics/backend/query-pool.js';
import { urlUserinfoParts } from '../../util/url-secrets.js';
import { prepareRequest as prepareBackendRequest } from '../../metrics/backend/backend-request.js';
import { basic, bearer, Redactor, resolveHeaders, type SecretSource } from '../../metrics/backend/secrets.js';
import { parseDuration } from '../../util/duration.js';
import type { ProviderMetric, ProviderSpec } from '../../metrics/provider-spec.js';
import type { TaskContext } from '../task-definition.js';
import type { MetricInfo } from '../../metrics/metric-board.js';
import type { CustomMetricsInput } from './custommetrics-input.js';
import { interpretCumulativeBuckets } from '../../metrics/histogram-buckets.js';
import type { RenderedProvider } from './providers.js';

export const defaultQueryTimeoutMs = 10_000;
export const defaultQueryRetries = 2;
/**
 * Queries in flight per task. A remote backend's round trip, not its work, is what a loop mostly
 * waits for: 100 queries 20 ms away take 7 round trips at 16, 4 at 32. Prometheus runs 20 queries
 * at once (--query.max-concurrency) and queues the rest itself, so 32 costs a cheap query nothing;
 * beyond that, slow queries would wait in its queue against our per-attempt timeout and delay its
 * rule evaluation, for little more gain (bench/README.md).
 */
export const defaultQueryConcurrency = 32;

/** Secret headers and TLS material, resolved once per loop; secrets go to the redactor. */
export async function resolveConnection(
  input: CustomMetricsInput,
  context: Pick<TaskContext, 'env' | 'experimentDir'>,
): Promise<{ headers: Record<string, string>; redactor: Redactor; tls: BackendTls }> {
  const secretContext = { env: context.env, baseDir: context.experimentDir };
  const redactor = new Redactor();
  const headers: Record<string, string> = {};
  const parts = [
    await resolveHeaders((input.headersFrom ?? {}) as Record<string, SecretSource>, secretContext),
  ];
  if (input.auth?.bearer) parts.push(await bearer(input.auth.bearer as SecretSource, secretContext));
  if (input.auth?.basic) {
    const { username, password } = input.auth.basic as { username: SecretSource; password: SecretSource };
    parts.push(await basic({ username, password }, secretContext));
  }
  for (const part of parts) {
    Object.assign(headers, part.headers);
    redactor.addAll(part.secrets);
  }
  const tls: BackendTls = {};
  if (input.tls?.insecure) tls.insecure = true;
  if (input.tls?.ca) {
    const file = path.resolve(context.experimentDir, input.tls.ca);
    tls.ca = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new TaskError(`cannot read CA file ${input.tls!.ca}: ${error.code ?? error.message}`, 'error');
    });
  }
  return { headers, redactor, tls };
}

/** What to show as a metric's query: the PromQL when there is one, else the request line; redacted. */
export function describeQuery(spec: ProviderSpec, metric: ProviderMetric, redactor: Redactor): string {
  const query = metric.params?.find((p) => p.name === 'query')?.value;
  if (query !== undefined) return redactor.redact(query.trim());
  const url = new URL(spec.url);
  for (const param of metric.params ?? []) url.searchParams.append(param.name, param.value);
  return redactor.redact(`${spec.method ?? 'GET'} ${url.toString()}${metric.body ? ` ${metric.body}` : ''}`);
}

/** The request a metric sends, as it goes on the wire: method, URL with its parameters, body and its type. */
export function describeRequest(
  spec: ProviderSpec,
  metric: ProviderMetric,
  redactor: Redactor,
): { request: string; contentType?: string; body?: string } {
  const prepared = prepareBackendRequest({ ...requestOf(spec, metric), headers: { ...spec.headers } });
  if ('problem' in prepared) return { request: redactor.redact(`(not sent: ${prepared.problem})`) };
  const contentType = Object.entries(prepared.headers).find(
    ([name]) => name.toLowerCase() === 'content-type',
  );
  return {
    request: redactor.redact(`${prepared.method} ${prepared.url.toString()}`),
    ...(contentType ? { contentType: contentType[1] } : {}),
    ...(prepared.body !== undefined ? { body: redactor.redact(prepared.body) } : {}),
  };
}

interface RecordDetails {
  query: string;
  info: MetricInfo;
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** A Prometheus answer with no series is the usual cause of a jq failure: say so first. */
function explainNoValue(json: unknown, jqReason: string): string {
  const result = (json as { data?: { result?: unknown } } | null)?.data?.result;
  if (Array.isArray(result) && result.length === 0)
    return `empty result: no series matched the query (${jqReason})`;
  return jqReason;
}

/**
 * Query every metric of every rendered provider (bounded concurrency) and record one outcome per
 * metric and version. When no query got any HTTP answer, the backend is unreachable: the task
 * could not run (exit 4), though every metric's reason is still recorded.
 */
export async function collectMetrics(
  rendered: readonly RenderedProvider[],
  input: CustomMetricsInput,
  context: TaskContext,
): Promise<{ values: number; missing: number }> {
  // Replayed providers send nothing: their secrets need not be set (in CI, say).
  const connection = rendered.some((r) => r.replay === undefined)
    ? await resolveConnection(input, context)
    : { headers: {}, redactor: new Redactor(), tls: {} };
  // A password in a provider's URL (user:pass@) is a credential, even where a server echoes it alone.
  for (const provider of rendered) connection.redactor.addAll(urlUserinfoParts(provider.spec.url));
  const logs = new Map<string, ExchangeLog>();
  const pool = createQueryPool(input.concurrency ?? defaultQueryConcurrency);
  const timeoutMs = input.timeout ? parseDuration(input.timeout) : defaultQueryTimeoutMs;
  const retries = input.retries ?? defaultQueryRetries;
  let answered = 0;
  let unreachable: string | undefined;
  // Query everything first; then read every answer with jq, one jq run per distinct expression.
  const answers: Array<{
    version: number;
    name: string;
    metric: ProviderMetric;
    json: unknown;
    details: RecordDetails;
  }> = [];
  /** One query of a request; `lastAnswer` is the answer of its last attempt when recording. */
  const send = (spec: ProviderSpec, request: RecordedRequest, replay: FixtureReplay | undefined) =>
    pool(async () => {
      let transport: Transport | undefined;
      let lastAnswer: RawResponse | undefined;
      if (replay) transport = replay.transportFor(request);
      else if (context.fixtureRecorder) {
        // The last attempt's answer is what the metric was read from; a failed attempt leaves none.
        transport = async (prepared, options) => {
          lastAnswer = undefined;
          lastAnswer = await httpTransport(prepared, options);
          return lastAnswer;
        };
      }
      const response = await queryBackend(
        { ...request, headers: { ...spec.headers, ...connection.headers } },
        {
          timeoutMs,
          retries,
          signal: context.signal,
          tls: connection.tls,
          env: context.env,
          redactor: connection.redactor,
          ...(transport ? { transport } : {}),
          // A replayed retry gets the same answer: say "after 3 attempts" as live did, without the wait.
          ...(replay ? { minRetryDelayMs: 0, maxRetryDelayMs: 0 } : {}),
        },
      );
      return { response, lastAnswer };
    });
  // Metrics that make byte-identical requests (a query without version labels, say) share one query.
  const queries = new Map<string, ReturnType<typeof send>>();
  const jobs = rendered.flatMap(({ version, templateName, spec, replay }, renderIndex) =>
    spec.metrics.map(async (metric, metricIndex) => {
      const name = `${templateName}/${metric.name}`;
      const details: RecordDetails = {
        query: describeQuery(spec, metric, connection.redactor),
        info: {
          ...(metric.description !== undefined ? { description: metric.description.trim() } : {}),
          ...(metric.units !== undefined ? { units: metric.units } : {}),
          ...(metric.type !== undefined ? { type: metric.type } : {}),
        },
      };
      const request = requestOf(spec, metric);
      // A replayed provider answers from its own fixture: it shares only with itself.
      const key = JSON.stringify([replay ? templateName : null, request, spec.headers ?? null]);
      let query = queries.get(key);
      if (query === undefined) queries.set(key, (query = send(spec, request, replay)));
      const { response, lastAnswer } = await query;
      if (lastAnswer) {
        let log = logs.get(templateName);
        if (!log) logs.set(templateName, (log = new ExchangeLog(connection.redactor)));
        log.add(request, lastAnswer, { version, metric: metric.name }, renderIndex * 10_000 + metricIndex);
      }
      // An unmatched replayed request is an answer too ("not recorded"), not an unreachable backend.
      if (response.status !== undefined || replay) answered++;
      if (!response.ok) {
        unreachable ??= response.status === undefined ? response.reason : undefined;
        context.metrics.record(version, name, null, {
          ...details,
          reason: connection.redactor.redact(response.reason),
        });
        return;
      }
      answers.push({ version, name, metric, json: response.json, details });
    }),
  );
  await Promise.all(jobs);
  let values = 0;
  // jq gets the query's timeout too: a runaway expression becomes that metric's reason.
  const jqBudget = { timeoutMs, signal: context.signal };
  const [histograms, scalars] = partition(answers, (a) => a.metric.type === 'histogram');
  for (const [expression, group] of groupBy(histograms, (a) => a.metric.jqExpression)) {
    const extracted = await extractManyWithJq(
      group.map((a) => a.json),
      expression,
      interpretCumulativeBuckets,
      jqBudget,
    );
    group.forEach((answer, i) => {
      const result = extracted[i]!;
      if (result.value !== null)
        context.metrics.recordDistribution(answer.version, answer.name, result.value);
      const total = result.value?.reduce((sum, bin) => sum + bin.count, 0) ?? null;
      const reason = result.value === null ? explainNoValue(answer.json, result.reason) : undefined;
      const recorded = context.metrics.record(answer.version, answer.name, total, {
        ...answer.details,
        ...(reason !== undefined ? { reason: connection.redactor.redact(reason) } : {}),
      });
      if (recorded.value !== null) values++;
    });
  }
  for (const [expression, group] of groupBy(scalars, (a) => a.metric.jqExpression)) {
    const extracted = await extractManyWithJq(
      group.map((a) => a.json),
      expression,
      undefined,
      jqBudget,
    );
    group.forEach((answer, i) => {
      const result = extracted[i]!;
      const reason = result.value === null ? explainNoValue(answer.json, result.reason) : undefined;
      const recorded = context.metrics.record(answer.version, answer.name, result.value, {
        ...answer.details,
        ...(reason !== undefined ? { reason: connection.redactor.redact(reason) } : {}),
      });
      if (recorded.value !== null) values++;
    });
  }
  await saveRecordings(logs, rendered, input, context);
  const total = jobs.length;
  if (total > 0 && answered === 0 && unreachable !== undefined) {
    throw new TaskError(
      `no metrics backend answered (${total} queries): ${connection.redactor.redact(unreachable)}`,
      'error',
    );
  }
  return { values, missing: total - values };
}

/** One fixture file per recorded provider, replacing the previous loop's. */
async function saveRecordings(
  logs: ReadonlyMap<string, ExchangeLog>,
  rendered: readonly RenderedProvider[],
  input: CustomMetricsInput,
  context: TaskContext,
): Promise<void> {
  if (!context.fixtureRecorder) return;
  for (const [provider, log] of logs) {
    const elapsedTimeSeconds = rendered
      .filter((r) => r.templateName === provider)
      .sort((a, b) => a.version - b.version)
      .map((r) => r.elapsedTimeSeconds);
    const saved = await context.fixtureRecorder.save({
      loop: context.loop,
      provider,
      template: input.templates[provider] as TemplateReference,
      experimentDir: context.experimentDir,
      elapsedTimeSeconds,
      exchanges: log.exchanges(),
    });
    context.log(
      'file' in saved
        ? `recorded ${log.size} responses of ${provider} to ${saved.file}`
        : `${provider} not recorded: ${saved.skipped}`,
    );
  }
}
