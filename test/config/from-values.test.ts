import { describe, expect, it } from 'vitest';
import { experimentFromValues } from '../../src/config/from-values.js';
import { valuesFromSetArguments } from '../../src/config/set-values.js';
import { ITER8_SEED_SETS } from './fixtures/iter8-seed.js';

const ISVC = { group: 'serving.kserve.io', version: 'v1beta1', resource: 'inferenceservices' };

describe('experimentFromValues: Iter8 KServe seed', () => {
  const values = valuesFromSetArguments([...ITER8_SEED_SETS], []);
  const { experiment, problems } = experimentFromValues(values);

  it('has no problems', () => {
    expect(problems).toEqual([]);
  });

  it('builds the whole document', () => {
    expect(experiment).toEqual({
      apiVersion: 'canary/v1',
      kind: 'Experiment',
      metadata: { name: 'default' },
      spec: {
        schedule: '*/1 * * * *',
        tasks: [
          {
            task: 'ready',
            with: { ...ISVC, name: 'sklearn-iris', condition: 'Ready', timeout: '180s' },
          },
          {
            task: 'custommetrics',
            with: {
              templates: {
                'kserve-prometheus':
                  'https://gist.githubusercontent.com/kalantar/adc6c9b0efe483c00b8f0c20605ac36c/raw/c4562e87b7ac0652b0e46f8f494d024307bff7a1/kserve-prometheus.tpl',
              },
              values: {
                labels: { service_name: 'sklearn-iris-predictor-default' },
                latencyPercentiles: [50, 75, 90, 95],
              },
              versionValues: [
                { labels: { revision_name: 'sklearn-iris-predictor-default-00002' } },
                { labels: { revision_name: 'sklearn-iris-predictor-default-00001' } },
              ],
            },
          },
          {
            task: 'assess',
            with: {
              SLOs: {
                upper: {
                  'kserve-prometheus/error-count': 0,
                  'kserve-prometheus/latency-mean': 25,
                  'kserve-prometheus/latency-p90': 40,
                },
              },
            },
          },
        ],
      },
    });
  });

  it('keeps the task order from values.tasks', () => {
    expect(experiment.spec.tasks.map((t) => t.task)).toEqual(['ready', 'custommetrics', 'assess']);
  });

  it('copies task inputs instead of sharing them with the values', () => {
    const custom = experiment.spec.tasks[1]?.with;
    expect(custom).toBeDefined();
    expect(custom).not.toBe(values['custommetrics']);
    (custom?.['values'] as Record<string, unknown>)['extra'] = true;
    expect((values['custommetrics'] as Record<string, Record<string, unknown>>)['values']).not.toHaveProperty(
      'extra',
    );
  });
});

describe('experimentFromValues: ready expansion', () => {
  it.each([
    {
      name: 'service (core group, no condition)',
      ready: { service: 'web' },
      expected: [{ group: '', version: 'v1', resource: 'services', name: 'web' }],
    },
    {
      name: 'deploy',
      ready: { deploy: 'web' },
      expected: [
        { group: 'apps', version: 'v1', resource: 'deployments', name: 'web', condition: 'Available' },
      ],
    },
    {
      name: 'ksvc',
      ready: { ksvc: 'web' },
      expected: [
        {
          group: 'serving.knative.dev',
          version: 'v1',
          resource: 'services',
          name: 'web',
          condition: 'Ready',
        },
      ],
    },
    {
      name: 'isvc',
      ready: { isvc: 'model' },
      expected: [{ ...ISVC, name: 'model', condition: 'Ready' }],
    },
    {
      name: 'chaosengine (no condition)',
      ready: { chaosengine: 'chaos' },
      expected: [{ group: 'litmuschaos.io', version: 'v1alpha1', resource: 'chaosengines', name: 'chaos' }],
    },
    {
      name: 'timeout and namespace on every expanded task, in the chart order',
      ready: { isvc: 'model', deploy: 'web', service: 'svc', timeout: '2m', namespace: 'ml' },
      expected: [
        { group: '', version: 'v1', resource: 'services', name: 'svc', timeout: '2m', namespace: 'ml' },
        {
          group: 'apps',
          version: 'v1',
          resource: 'deployments',
          name: 'web',
          condition: 'Available',
          timeout: '2m',
          namespace: 'ml',
        },
        { ...ISVC, name: 'model', condition: 'Ready', timeout: '2m', namespace: 'ml' },
      ],
    },
    {
      name: 'a numeric resource name is quoted like the chart did',
      ready: { deploy: 123 },
      expected: [
        { group: 'apps', version: 'v1', resource: 'deployments', name: '123', condition: 'Available' },
      ],
    },
    {
      name: 'empty shortcuts are skipped (Go template truthiness)',
      ready: { deploy: '', isvc: 'model', timeout: '', namespace: '' },
      expected: [{ ...ISVC, name: 'model', condition: 'Ready' }],
    },
  ])('$name', ({ ready, expected }) => {
    const { experiment, problems } = experimentFromValues({ tasks: ['ready'], ready });
    expect(problems).toEqual([]);
    expect(experiment.spec.tasks).toEqual(expected.map((inputs) => ({ task: 'ready', with: inputs })));
  });

  it.each([
    {
      name: 'missing ready values',
      ready: undefined,
      problem: 'task ready is listed but values.ready is missing',
    },
    { name: 'ready is a string', ready: 'web', problem: 'values.ready is the string "web"' },
    { name: 'no shortcut', ready: { timeout: '5s' }, problem: 'values.ready names no resource' },
    { name: 'empty map', ready: {}, problem: 'values.ready names no resource' },
    {
      name: 'typo in a shortcut',
      ready: { isvcs: 'm', isvc: 'm' },
      problem: 'values.ready.isvcs is not a ready setting',
    },
    {
      name: 'bad timeout',
      ready: { isvc: 'm', timeout: '3 minutes' },
      problem: 'values.ready.timeout: duration',
    },
    { name: 'timeout without unit', ready: { isvc: 'm', timeout: 180 }, problem: 'did you mean "180s"?' },
    {
      name: 'map as a name',
      ready: { deploy: { a: 1 } },
      problem: 'values.ready.deploy must be a resource name',
    },
    {
      name: 'non-string namespace',
      ready: { isvc: 'm', namespace: 5 },
      problem: 'values.ready.namespace must be',
    },
  ])('reports $name', ({ ready, problem }) => {
    const { problems } = experimentFromValues({ tasks: ['ready'], ready });
    expect(problems.join('\n')).toContain(problem);
  });

  it('still passes a questionable timeout through for later validation', () => {
    const { experiment } = experimentFromValues({ tasks: ['ready'], ready: { isvc: 'm', timeout: 180 } });
    expect(experiment.spec.tasks[0]?.with?.['timeout']).toBe(180);
  });
});

describe('experimentFromValues: other tasks', () => {
  it.each([
    {
      name: 'http inputs are copied as given',
      values: { tasks: ['http'], http: { url: 'http://a', qps: 5, payloadURL: 'http://p' } },
      // Iter8's default for allowInitialErrors, written out.
      tasks: [
        {
          task: 'http',
          with: { url: 'http://a', qps: 5, payloadURL: 'http://p', allowInitialErrors: false },
        },
      ],
    },
    {
      name: 'assess keeps Iter8 list-form SLOs',
      values: {
        tasks: ['assess'],
        assess: { SLOs: { upper: [{ metric: 'http/latency-mean', limit: 50 }] } },
      },
      tasks: [{ task: 'assess', with: { SLOs: { upper: [{ metric: 'http/latency-mean', limit: 50 }] } } }],
    },
    {
      name: 'assess without values gets no inputs',
      values: { tasks: ['assess'] },
      tasks: [{ task: 'assess' }],
    },
    {
      name: 'custommetrics without values gets no inputs',
      values: { tasks: ['custommetrics'] },
      tasks: [{ task: 'custommetrics' }],
    },
    {
      name: 'unknown tasks pass through',
      values: { tasks: ['mytask', 'other'], mytask: { x: 1 } },
      tasks: [{ task: 'mytask', with: { x: 1 } }, { task: 'other' }],
    },
    {
      name: 'a task listed twice appears twice',
      values: { tasks: ['assess', 'assess'], assess: { SLOs: {} } },
      tasks: [
        { task: 'assess', with: { SLOs: {} } },
        { task: 'assess', with: { SLOs: {} } },
      ],
    },
    {
      name: 'grpc with endpoints that each have host and call',
      values: {
        tasks: ['grpc'],
        grpc: { endpoints: { a: { host: 'h:1', call: 'x.Y.Z' }, b: { host: 'h:2', call: 'x.Y.W' } } },
      },
      tasks: [
        {
          task: 'grpc',
          with: { endpoints: { a: { host: 'h:1', call: 'x.Y.Z' }, b: { host: 'h:2', call: 'x.Y.W' } } },
        },
      ],
    },
    {
      name: "http endpoints are Iter8's named endpoints, even with only a url each",
      values: { tasks: ['http'], http: { endpoints: { a: { url: 'http://a' } } } },
      tasks: [
        {
          task: 'http',
          with: { endpoints: { a: { url: 'http://a' } }, allowInitialErrors: false, endpointsAre: 'named' },
        },
      ],
    },
    {
      name: 'slack keeps its own name and inputs',
      values: { tasks: ['slack'], slack: { url: 'https://hooks.slack.com/x' } },
      tasks: [{ task: 'slack', with: { url: 'https://hooks.slack.com/x' } }],
    },
  ])('$name', ({ values, tasks }) => {
    const { experiment, problems } = experimentFromValues(values);
    expect(problems).toEqual([]);
    expect(experiment.spec.tasks).toEqual(tasks);
  });

  it.each([
    {
      name: 'http without values',
      values: { tasks: ['http'] },
      problem: 'task http needs inputs but values.http is missing',
    },
    {
      name: 'http with empty values',
      values: { tasks: ['http'], http: {} },
      problem: 'values.http is empty',
    },
    {
      name: 'http without url',
      values: { tasks: ['http'], http: { qps: 5 } },
      problem: 'task http needs values.http.url',
    },
    {
      name: 'http endpoint without url',
      values: { tasks: ['http'], http: { endpoints: { a: { url: 'u' }, b: { qps: 1 } } } },
      problem: 'task http: endpoint "b" has no url',
    },
    {
      name: 'grpc without host',
      values: { tasks: ['grpc'], grpc: { call: 'a.B.C' } },
      problem: 'values.grpc.host',
    },
    {
      name: 'grpc without call',
      values: { tasks: ['grpc'], grpc: { host: 'h:1' } },
      problem: 'values.grpc.call',
    },
    {
      name: 'slack without url',
      values: { tasks: ['slack'], slack: { x: 1 } },
      problem: 'task slack needs values.slack.url',
    },
    {
      name: 'task values not a map',
      values: { tasks: ['assess'], assess: 'x' },
      problem: 'values.assess must be a map',
    },
  ])('reports $name', ({ values, problem }) => {
    const { experiment, problems } = experimentFromValues(values);
    expect(problems.join('\n')).toContain(problem);
    // The task is still listed, so later validation can say more about it.
    expect(experiment.spec.tasks).toHaveLength(1);
  });

  it('reports a non-map http once, not also as missing inputs', () => {
    const { problems } = experimentFromValues({ tasks: ['http'], http: 'http://a' });
    expect(problems).toEqual(['values.http must be a map of task inputs, got the string "http://a"']);
  });
});

describe('experimentFromValues: tasks list', () => {
  it.each([
    { name: 'missing', values: {}, problem: 'values.tasks is missing' },
    { name: 'null', values: { tasks: null }, problem: 'values.tasks is missing' },
    {
      name: 'a string',
      values: { tasks: 'http' },
      problem: 'values.tasks must be a list of task names, got the string "http"',
    },
    {
      name: 'a map',
      values: { tasks: { a: 1 } },
      problem: 'values.tasks must be a list of task names, got a map',
    },
    { name: 'empty', values: { tasks: [] }, problem: 'values.tasks is empty' },
  ])('$name', ({ values, problem }) => {
    const { experiment, problems } = experimentFromValues(values);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
    expect(problems[0]).toContain('--set "tasks={http,assess}"');
    expect(experiment.spec.tasks).toEqual([]);
  });

  it('skips entries that are not task names', () => {
    const { experiment, problems } = experimentFromValues({
      tasks: ['assess', 7, null, ''],
      assess: { SLOs: {} },
    });
    expect(experiment.spec.tasks).toEqual([{ task: 'assess', with: { SLOs: {} } }]);
    expect(problems).toEqual([
      'values.tasks[1] must be a task name, got number 7',
      'values.tasks[2] must be a task name, got null',
      'values.tasks[3] must be a task name, got the string ""',
    ]);
  });
});

describe('experimentFromValues: runner and schedule', () => {
  const base = { tasks: ['assess'], assess: { SLOs: {} } };
  it.each([
    { name: 'no runner', extra: {}, schedule: undefined, problem: undefined },
    { name: 'runner=job', extra: { runner: 'job' }, schedule: undefined, problem: undefined },
    {
      name: "runner=none (the chart's default)",
      extra: { runner: 'none' },
      schedule: undefined,
      problem: undefined,
    },
    {
      // The chart ignored it silently; a dropped schedule is a mistake worth saying.
      name: 'runner=job with cronjobSchedule is a problem',
      extra: { runner: 'job', cronjobSchedule: '* * * * *' },
      schedule: undefined,
      problem: 'values.cronjobSchedule is set but runner is job, so the schedule would be ignored',
    },
    {
      name: 'runner=cronjob',
      extra: { runner: 'cronjob', cronjobSchedule: '*/5 * * * *' },
      schedule: '*/5 * * * *',
      problem: undefined,
    },
    {
      name: 'runner=cronjob without schedule',
      extra: { runner: 'cronjob' },
      schedule: undefined,
      problem: 'runner=cronjob needs values.cronjobSchedule, a cron expression; it is missing',
    },
    {
      name: 'runner=cronjob with empty schedule',
      extra: { runner: 'cronjob', cronjobSchedule: ' ' },
      schedule: undefined,
      problem: 'got the string " "',
    },
    {
      name: 'runner=cronjob with a number as schedule',
      extra: { runner: 'cronjob', cronjobSchedule: 5 },
      schedule: undefined,
      problem: 'got number 5',
    },
    {
      name: 'unknown runner',
      extra: { runner: 'pod' },
      schedule: undefined,
      problem: 'values.runner must be one of job, cronjob or none, got the string "pod"',
    },
  ])('$name', ({ extra, schedule, problem }) => {
    const { experiment, problems } = experimentFromValues({ ...base, ...extra });
    if (schedule === undefined) expect(experiment.spec).not.toHaveProperty('schedule');
    else expect(experiment.spec.schedule).toBe(schedule);
    if (problem === undefined) expect(problems).toEqual([]);
    else expect(problems.join('\n')).toContain(problem);
  });
});

describe('experimentFromValues: name', () => {
  const base = { tasks: ['assess'] };
  it.each([
    { label: 'default', values: {}, arg: undefined, expected: 'default', problems: 0 },
    {
      label: 'values.name',
      values: { name: 'from-values' },
      arg: undefined,
      expected: 'from-values',
      problems: 0,
    },
    {
      label: 'argument wins',
      values: { name: 'from-values' },
      arg: 'from-arg',
      expected: 'from-arg',
      problems: 0,
    },
    { label: 'numeric values.name', values: { name: 42 }, arg: undefined, expected: '42', problems: 0 },
    { label: 'empty argument', values: {}, arg: '', expected: 'default', problems: 1 },
    { label: 'map as name', values: { name: { a: 1 } }, arg: undefined, expected: 'default', problems: 1 },
  ])('$label', ({ values, arg, expected, problems }) => {
    const result = experimentFromValues({ ...base, ...values }, arg);
    expect(result.experiment.metadata.name).toBe(expected);
    expect(result.problems).toHaveLength(problems);
  });
});

describe("experimentFromValues: the chart's warmup values", () => {
  const build = (sets: string[]) => experimentFromValues(valuesFromSetArguments(sets, []));
  const http = ['tasks={http}', 'http.url=http://127.0.0.1:1/'];

  it('http keeps its warmup values: the http task reads them with the chart meaning', () => {
    const byCount = build([...http, 'http.warmupNumRequests=10']);
    expect(byCount.problems).toEqual([]);
    expect(byCount.experiment.spec.tasks[0]?.with).toEqual({
      url: 'http://127.0.0.1:1/',
      warmupNumRequests: 10,
      allowInitialErrors: false,
    });
  });

  it('grpc keeps its warmup values: the grpc task reads them with the chart meaning', () => {
    const grpc = build([
      'tasks={grpc}',
      'grpc.host=127.0.0.1:50051',
      'grpc.call=helloworld.Greeter.SayHello',
      'grpc.warmupNumRequests=10',
    ]);
    expect(grpc.problems).toEqual([]);
    expect(grpc.experiment.spec.tasks[0]?.with).toMatchObject({ warmupNumRequests: 10 });
  });
});
