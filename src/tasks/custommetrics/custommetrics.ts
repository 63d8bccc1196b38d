import { defineTask, type TaskProblem } from '../task-definition.js';
import { TaskError } from '../../errors.js';
import { checkPromql } from '../../metrics/backend/promql.js';
import { checkJqSyntaxCached } from '../../metrics/backend/jq.js';
import { promqlQueryOf } from '../../metrics/provider-spec.js';
import { CustomMetricsInputSchema, type CustomMetricsInput } from './custommetrics-input.js';
import {
  compileEachProvider,
  compileProviders,
  lineOfMetric,
  ProviderProblem,
  renderProviders,
} from './providers.js';
import { atEvaluationTime } from './evaluation-time.js';
import { parseStartingTime, versionCountOf } from './version-values.js';
import { Redactor } from '../../metrics/backend/secrets.js';
import { requestOf } from '../../metrics/fixtures/fixture-replay.js';

/** At validate time templates render as if the experiment had been running this long. */
const checkElapsedSeconds = 60;

/**
 * A URL template that cannot be fetched here (no network, offline) cannot be checked here, but
 * the runner (`canary run`, the pod of `canary k launch`) fetches it when it runs: a warning,
 * naming the built-in template that needs no network.
 */
function unchecked(error: ProviderProblem): TaskProblem {
  return {
    severity: 'warning',
    path: ['templates', error.templateName],
    message: `${error.message}; it cannot be checked here, and is fetched again when the experiment runs (in the pod, for k launch)`,
    hint: 'to need no network, use a built-in template, e.g. builtin:kserve-prometheus (KServe on Prometheus)',
  };
}

export const customMetricsTask = defineTask({
  name: 'custommetrics',
  description: 'Query metrics per version through provider templates (Prometheus or any HTTP/JSON API)',
  inputSchema: CustomMetricsInputSchema,
  produces(input) {
    return Object.keys(input.templates).map((name) => `${name}/*`);
  },
  async check(input, context) {
    const problems: TaskProblem[] = [];
    const versions = versionCountOf(input.versionValues);
    if (context.versions && input.versionValues && context.versions.length !== versions) {
      problems.push({
        severity: 'warning',
        path: ['versionValues'],
        message: `versionValues has ${versions} entries but spec.versions names ${context.versions.length} versions`,
      });
    }
    for (const [path, value] of startingTimes(input)) {
      try {
        parseStartingTime(value);
      } catch (error) {
        problems.push({ severity: 'error', path, message: (error as Error).message });
      }
    }
    if (problems.some((p) => p.severity === 'error')) return problems;
    const { providers, problems: broken } = await compileEachProvider(input, context);
    const asProblem = (error: ProviderProblem): TaskProblem => ({
      severity: 'error',
      path: ['templates', error.templateName],
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    });
    problems.push(...broken.map((error) => (error.unreachable ? unchecked(error) : asProblem(error))));
    for (const [name, provider] of providers) {
      if (provider.source.syntax === 'go') problems.push(...checkGoTemplateLabels(name, input));
    }
    const now = new Date();
    const jqChecked = new Map<string, Promise<string | undefined>>();
    for (const [name, provider] of providers) {
      let rendered;
      try {
        rendered = renderProviders(
          new Map([[name, provider]]),
          input,
          new Date(now.getTime() - checkElapsedSeconds * 1000),
          now,
        );
      } catch (error) {
        if (!(error instanceof ProviderProblem)) throw error;
        problems.push(asProblem(error));
        continue;
      }
      const unrecorded: string[] = [];
      for (const { version, templateName, spec, replay } of rendered) {
        const source = providers.get(templateName)!.source;
        for (const metric of spec.metrics) {
          if (replay && !replay.has(requestOf(spec, metric)))
            unrecorded.push(
              `metric ${metric.name}, version ${version}: ${replay.explainMiss(requestOf(spec, metric))}`,
            );
          const line = lineOfMetric(source, metric.name);
          const where = `template ${templateName} (${source.origin}${line ? `:${line}` : ''}), metric ${metric.name}, version ${version}`;
          const query = promqlQueryOf(spec, metric);
          const promqlProblem = query === undefined ? undefined : checkPromql(query)[0];
          if (promqlProblem) {
            problems.push({
              severity: 'error',
              path: ['templates', templateName],
              message: `${where}: PromQL ${promqlProblem.message}`,
              hint: `the rendered query: ${query!.trim()}`,
            });
          }
          if (!jqChecked.has(metric.jqExpression))
            jqChecked.set(metric.jqExpression, checkJqSyntaxCached(metric.jqExpression));
          const jqProblem = await jqChecked.get(metric.jqExpression);
          if (jqProblem)
            problems.push({
              severity: 'error',
              path: ['templates', templateName],
              message: `${where}: jqExpression: ${jqProblem}`,
            });
        }
      }
      if (unrecorded.length > 0)
        problems.push({
          severity: 'warning',
          path: ['templates', name],
          message: `template ${name}: ${unrecorded.length} request(s) are not in the fixture and will have no value; ${unrecorded[0]}`,
          hint: 'the template or its values changed since the fixture was recorded: re-record it with --record-fixtures',
        });
    }
    // One report per distinct problem: a broken template is broken for every version.
    const seen = new Set<string>();
    return problems.filter((p) => {
      const key = `${p.path.join('.')}|${p.message.replace(/, version \d+/, '')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  },
  async preview(input, context) {
    const providers = await compileProviders(input, context);
    // The query client (undici) is loaded by a dry run or a loop, not by `canary validate`.
    const { describeRequest } = await import('./collect-metrics.js');
    const redactor = new Redactor();
    // As the loops would render them: a retrospective run starts at its first time and asks as of each.
    const times = context.evaluationTimes;
    const loops = times
      ? times.map((time) => ({ start: times[0]!, time }))
      : [{ start: new Date(), time: undefined }];
    return loops.flatMap(({ start, time }) => {
      const rendered = renderProviders(providers, input, start, time ?? start);
      return (time ? atEvaluationTime(rendered, time) : rendered).map(({ version, templateName, spec }) => ({
        ...(time ? { evaluationTime: time.toISOString() } : {}),
        version,
        template: templateName,
        url: redactor.redact(spec.url),
        // Exactly as sent: not trimmed.
        queries: Object.fromEntries(
          spec.metrics.map((m) => [`${templateName}/${m.name}`, redactor.redact(queryOf(m) ?? '')]),
        ),
        requests: Object.fromEntries(
          spec.metrics.map((m) => [`${templateName}/${m.name}`, describeRequest(spec, m, redactor)]),
        ),
      }));
    });
  },
  // Templates see the loop's evaluation time; Prometheus instant queries are asked as of it.
  supportsRetrospective: true,
  async run(input, context) {
    let rendered;
    try {
      rendered = renderProviders(
        await compileProviders(input, context),
        input,
        context.experimentStart,
        context.evaluationTime ?? new Date(),
      );
    } catch (error) {
      if (error instanceof ProviderProblem) throw new TaskError(error.message, 'error');
      throw error;
    }
    if (context.evaluationTime) rendered = atEvaluationTime(rendered, context.evaluationTime);
    const { collectMetrics } = await import('./collect-metrics.js');
    const { values, missing } = await collectMetrics(rendered, input, context);
    context.log(
      `${values + missing} metrics queried for ${versionCountOf(input.versionValues)} version(s): ${values} with values, ${missing} without`,
    );
  },
});

/**
 * Iter8-style Go templates splice label values into PromQL as they are: a quote or backslash in a
 * value would change the query. Refuse such values rather than render a different query.
 */
function checkGoTemplateLabels(templateName: string, input: CustomMetricsInput): TaskProblem[] {
  const problems: TaskProblem[] = [];
  const sources: Array<[Array<string | number>, unknown]> = [
    [['values', 'labels'], input.values?.labels],
    ...(input.versionValues ?? []).map((v, i): [Array<string | number>, unknown] => [
      ['versionValues', i, 'labels'],
      v.labels,
    ]),
  ];
  for (const [path, labels] of sources) {
    if (labels === null || typeof labels !== 'object') continue;
    for (const [key, value] of Object.entries(labels)) {
      if (typeof value === 'string' && /["\\\n]/.test(value)) {
        problems.push({
          severity: 'error',
          path: [...path, key],
          message: `label value ${JSON.stringify(value)} has a quote, backslash or newline, which the Go template ${templateName} would put into PromQL unescaped`,
          hint: 'use a builtin template (they escape label values), or change the value',
        });
      }
    }
  }
  return problems;
}

function* startingTimes(input: CustomMetricsInput): Generator<[Array<string | number>, unknown]> {
  if (input.values?.startingTime != null) yield [['values', 'startingTime'], input.values.startingTime];
  for (const [i, values] of (input.versionValues ?? []).entries()) {
    if (values.startingTime != null) yield [['versionValues', i, 'startingTime'], values.startingTime];
  }
}

function queryOf(metric: { params?: Array<{ name: string; value: string }> }): string | undefined {
  return metric.params?.find((p) => p.name === 'query')?.value;
}
