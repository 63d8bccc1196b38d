import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fitIrisClassifier } from '../../src/model-server/iris-classifier.js';
import { irisFeatures } from '../../src/model-server/iris-data.js';
import { knativeLatencyBucketsMs } from '../../src/model-server/request-metrics.js';
import {
  startModelServer,
  type ModelServer,
  type ServedVersion,
} from '../../src/model-server/start-model-server.js';
import { samplesOf, valueOf } from './support/parse-prometheus-text.js';
import { getJson, postJson, scrape } from './support/send-request.js';

const seedRequest = {
  instances: [
    [6.8, 2.8, 4.8, 1.4],
    [6.0, 3.4, 4.5, 1.6],
  ],
};
const baselineRevision = 'sklearn-iris-predictor-default-00001';
const candidateRevision = 'sklearn-iris-predictor-default-00002';

/** A bucket's `le` as a number ("+Inf" included). */
function boundOf(le: string | undefined): number {
  return le === '+Inf' ? Infinity : Number(le);
}

let server: ModelServer;
let baseline: ServedVersion;
let candidate: ServedVersion;

beforeAll(async () => {
  server = await startModelServer({
    versions: [
      { revisionName: baselineRevision, model: 'logistic-regression', port: 0 },
      { revisionName: candidateRevision, model: 'decision-tree' },
    ],
    maxBodyBytes: 64 * 1024,
  });
  [baseline, candidate] = server.versions as [ServedVersion, ServedVersion];
});

afterAll(() => server?.stop());

describe('serving', () => {
  test('each version has its own loopback port and URLs', () => {
    expect(baseline.port).toBeGreaterThan(0);
    expect(candidate.port).not.toBe(baseline.port);
    expect(baseline).toMatchObject({
      revisionName: baselineRevision,
      model: 'logistic-regression',
      url: `http://127.0.0.1:${baseline.port}`,
      predictUrl: `http://127.0.0.1:${baseline.port}/v1/models/sklearn-iris:predict`,
      inferUrl: `http://127.0.0.1:${baseline.port}/v2/models/sklearn-iris/infer`,
      metricsUrl: `http://127.0.0.1:${baseline.port}/metrics`,
    });
  });

  test.each([0, 1])('V1 predict on version %i answers the seed request with [1, 1]', async (index) => {
    const version = server.versions[index]!;
    const response = await postJson(version.predictUrl, seedRequest);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ predictions: [1, 1] });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-canary-revision')).toBe(version.revisionName);
  });

  test.each([0, 1])(
    'V1 predictions of version %i are what its fitted model computes, on all 150 rows',
    async (index) => {
      const version = server.versions[index]!;
      const classifier = fitIrisClassifier(version.model);
      const response = await postJson(version.predictUrl, { instances: irisFeatures });
      expect(response.body).toEqual({ predictions: irisFeatures.map((row) => classifier.predict(row)) });
    },
  );

  test('V2 infer takes a [N, 4] tensor, flat or nested, and echoes the id', async () => {
    const flat = await postJson(candidate.inferUrl, {
      id: 'req-1',
      inputs: [{ name: 'input-0', shape: [2, 4], datatype: 'FP32', data: seedRequest.instances.flat() }],
    });
    expect(flat.status).toBe(200);
    expect(flat.body).toEqual({
      model_name: 'sklearn-iris',
      id: 'req-1',
      outputs: [{ name: 'output-0', shape: [2], datatype: 'INT64', data: [1, 1] }],
    });
    const nested = await postJson(baseline.inferUrl, {
      inputs: [
        {
          name: 'input-0',
          shape: [3, 4],
          datatype: 'FP64',
          data: [...seedRequest.instances, [5.1, 3.5, 1.4, 0.2]],
        },
      ],
    });
    expect(nested.status).toBe(200);
    expect(nested.body).toMatchObject({ outputs: [{ shape: [3], data: [1, 1, 0] }] });
    expect((nested.body as { id: string }).id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('model and health endpoints', async () => {
    expect((await getJson(`${baseline.url}/v1/models/sklearn-iris`)).body).toEqual({
      name: 'sklearn-iris',
      ready: true,
    });
    expect((await getJson(`${baseline.url}/v1/models`)).body).toEqual({ models: ['sklearn-iris'] });
    expect((await getJson(`${baseline.url}/`)).body).toEqual({ status: 'alive' });
    expect((await getJson(`${baseline.url}/v2/health/live`)).body).toEqual({ live: true });
    expect((await getJson(`${baseline.url}/v2/health/ready`)).body).toEqual({ ready: true });
    expect((await getJson(`${baseline.url}/v2/models/sklearn-iris/ready`)).body).toEqual({
      name: 'sklearn-iris',
      ready: true,
    });
    expect((await getJson(`${baseline.url}/v2/models/sklearn-iris`)).body).toMatchObject({
      name: 'sklearn-iris',
      inputs: [{ name: 'input-0', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'output-0', datatype: 'INT64', shape: [-1] }],
    });
  });
});

describe('refusals', () => {
  const v1Cases: Array<[string, unknown, string]> = [
    ['an empty body', '', 'request body is empty; expected JSON'],
    [
      'a JSON array',
      '[1, 2]',
      'request body must be a JSON object like {"instances": [[6.8, 2.8, 4.8, 1.4]]}, got an array',
    ],
    ['no instances', {}, 'request body has no "instances" field'],
    ['instances not an array', { instances: 'abc' }, 'instances must be an array of rows, got "abc"'],
    ['no rows', { instances: [] }, 'instances must not be empty'],
    ['a row that is not an array', { instances: [5] }, 'instances[0] must be an array of 4 numbers, got 5'],
    [
      'a short row',
      {
        instances: [
          [6.8, 2.8, 4.8, 1.4],
          [6.0, 3.4, 4.5],
        ],
      },
      'instances[1] must have 4 numbers, got 3',
    ],
    ['a long row', { instances: [[6.8, 2.8, 4.8, 1.4, 0]] }, 'instances[0] must have 4 numbers, got 5'],
    [
      'a string value',
      { instances: [[6.8, 2.8, 4.8, 'x']] },
      'instances[0][3] must be a finite number, got "x"',
    ],
    [
      'a null value',
      { instances: [[6.8, null, 4.8, 1.4]] },
      'instances[0][1] must be a finite number, got null',
    ],
    [
      'an overflowing number',
      '{"instances": [[6.8, 2.8, 4.8, 1e400]]}',
      'instances[0][3] must be a finite number, got Infinity',
    ],
    [
      'too many instances',
      { instances: Array.from({ length: 1001 }, () => [6.8, 2.8, 4.8, 1.4]) },
      'too many instances: 1001 (at most 1000 per request)',
    ],
  ];

  test.each(v1Cases)('V1 predict with %s: 400 and a clear message', async (_, body, message) => {
    const response = await postJson(baseline.predictUrl, body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: message });
  });

  test('V1 predict with broken JSON: 400', async () => {
    const response = await postJson(baseline.predictUrl, '{"instances": [[6.8, 2.8');
    expect(response.status).toBe(400);
    expect((response.body as { error: string }).error).toMatch(/^request body is not valid JSON \(.+\)$/);
  });

  const v2Cases: Array<[string, unknown, string]> = [
    ['no inputs', { id: 'x' }, 'request body has no "inputs" field'],
    ['two tensors', { inputs: [{}, {}] }, 'inputs must be an array with exactly one tensor, got 2 tensors'],
    [
      'a BYTES tensor',
      { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'BYTES', data: ['a', 'b', 'c', 'd'] }] },
      'inputs[0].datatype must be one of FP16, FP32, FP64, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, got "BYTES"',
    ],
    [
      'a wrong shape',
      { inputs: [{ name: 'input-0', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] }] },
      'inputs[0].shape must be [N, 4], got [2,3]',
    ],
    [
      'data not matching the shape',
      { inputs: [{ name: 'input-0', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6, 7] }] },
      'inputs[0].data must have 8 numbers for shape [2, 4], got 7',
    ],
    [
      'a non-number',
      { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [1, 2, true, 4] }] },
      'inputs[0].data[2] must be a finite number, got true',
    ],
    [
      'too many rows',
      { inputs: [{ name: 'input-0', shape: [1001, 4], datatype: 'FP32', data: [] }] },
      'too many instances: 1001 (at most 1000 per request)',
    ],
  ];

  test.each(v2Cases)('V2 infer with %s: 400 and a clear message', async (_, body, message) => {
    const response = await postJson(candidate.inferUrl, body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: message });
  });

  test('an unknown model: 404, on both protocols', async () => {
    const v1 = await postJson(`${baseline.url}/v1/models/nope:predict`, seedRequest);
    expect(v1.status).toBe(404);
    expect(v1.body).toEqual({ error: 'model "nope" is not served here; this server serves "sklearn-iris"' });
    expect((await postJson(`${baseline.url}/v2/models/nope/infer`, {})).status).toBe(404);
    expect((await getJson(`${baseline.url}/v1/models/nope`)).status).toBe(404);
  });

  test('an unknown path: 404; a wrong method: 405 with Allow', async () => {
    expect(await getJson(`${baseline.url}/v3/models`)).toMatchObject({
      status: 404,
      body: { error: 'no endpoint GET /v3/models' },
    });
    const wrongMethod = await getJson(baseline.predictUrl);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(wrongMethod.body).toEqual({
      error: 'GET is not allowed on /v1/models/sklearn-iris:predict; use POST',
    });
  });

  test('odd request targets are routed by path only', async () => {
    expect((await getJson(`${baseline.url}//x/metrics?y=1`)).body).toEqual({
      error: 'no endpoint GET //x/metrics',
    });
    expect((await getJson(`${baseline.url}/v1/models/sklearn-iris?verbose=1`)).status).toBe(200);
    expect((await getJson(`${baseline.url}/v1/models/%E0%A4%A:predict`)).status).toBe(404);
  });

  test('a body over the limit: 413, and the connection still answers', async () => {
    const big = JSON.stringify({ instances: Array.from({ length: 4000 }, () => [6.8, 2.8, 4.8, 1.4]) });
    const response = await postJson(candidate.predictUrl, big);
    expect(response.status).toBe(413);
    expect(response.body).toEqual({
      error: `request body is ${Buffer.byteLength(big)} bytes, more than the limit of ${64 * 1024}`,
    });
    expect((await postJson(candidate.predictUrl, seedRequest)).status).toBe(200);
  });
});

describe('metrics', () => {
  test('every request is counted by status, with the queue-proxy labels; scrapes and probes are not', async () => {
    const solo = await startModelServer({
      versions: [{ revisionName: 'iris-00007', model: 'decision-tree' }],
      serviceName: 'iris-svc',
      namespace: 'models',
    });
    try {
      const [version] = solo.versions as [ServedVersion];
      for (let i = 0; i < 5; i++) await postJson(version.predictUrl, seedRequest);
      await postJson(version.predictUrl, { instances: [[1, 2, 3]] });
      await postJson(version.predictUrl, '{oops');
      await postJson(`${version.url}/v1/models/other:predict`, seedRequest);
      await getJson(`${version.url}/v1/models/sklearn-iris`);
      await fetch(`${version.url}/v2/health/ready`, { headers: { 'user-agent': 'kube-probe/1.30' } });
      await fetch(`${version.url}/v2/health/ready`, { headers: { 'k-network-probe': 'queue' } });
      await scrape(version.metricsUrl);
      const metrics = await scrape(version.metricsUrl);

      const count = (code: string) => valueOf(metrics, 'revision_app_request_count', { response_code: code });
      expect([count('200'), count('400'), count('404')]).toEqual([6, 2, 1]);
      expect(samplesOf(metrics, 'revision_app_request_count')).toHaveLength(3);
      const [sample] = samplesOf(metrics, 'revision_app_request_count', { response_code: '400' });
      expect(sample?.labels).toEqual({
        configuration_name: 'iris-svc',
        container_name: 'queue-proxy',
        namespace_name: 'models',
        pod_name: 'iris-00007-deployment-local',
        response_code: '400',
        response_code_class: '4xx',
        revision_name: 'iris-00007',
        service_name: 'iris-svc',
      });
      for (const code of ['200', '400', '404']) {
        expect(valueOf(metrics, 'revision_app_request_latencies_count', { response_code: code })).toBe(
          count(code),
        );
        const buckets = samplesOf(metrics, 'revision_app_request_latencies_bucket', { response_code: code });
        expect(buckets.map((b) => b.labels.le)).toEqual([...knativeLatencyBucketsMs.map(String), '+Inf']);
        expect(buckets.at(-1)?.value).toBe(count(code));
      }
    } finally {
      await solo.stop();
    }
  });

  test('sums and buckets agree with the latencies the client measured', async () => {
    const delayMs = 25;
    const slow = await startModelServer({
      versions: [
        { revisionName: 'slow-00001', model: 'logistic-regression', delayMs, jitterMs: 30, seed: 3 },
      ],
    });
    try {
      const [version] = slow.versions as [ServedVersion];
      const measured: number[] = [];
      for (let i = 0; i < 12; i++) measured.push((await postJson(version.predictUrl, seedRequest)).elapsedMs);
      const metrics = await scrape(version.metricsUrl);
      const series = { response_code: '200' };
      expect(valueOf(metrics, 'revision_app_request_latencies_count', series)).toBe(12);

      // The server truncates to whole ms and cannot see the client's own overhead, so its sum is at
      // most the client's. (How much less depends on the machine's load: no timed bound here.)
      const serverSum = valueOf(metrics, 'revision_app_request_latencies_sum', series);
      const clientSum = measured.reduce((a, b) => a + b, 0);
      expect(serverSum).toBeGreaterThanOrEqual(12 * delayMs);
      expect(serverSum).toBeLessThanOrEqual(clientSum);

      // Per bucket: every request the client saw finish under the bound was recorded under it.
      for (const bucket of samplesOf(metrics, 'revision_app_request_latencies_bucket', series)) {
        const bound = boundOf(bucket.labels.le);
        expect(bucket.value).toBeGreaterThanOrEqual(measured.filter((ms) => ms < bound).length);
      }
    } finally {
      await slow.stop();
    }
  });

  test('an injected delay puts every request in buckets at or above the delay', async () => {
    const delayMs = 50;
    const slow = await startModelServer({
      versions: [{ revisionName: 'slow-00002', model: 'decision-tree', delayMs }],
    });
    try {
      const [version] = slow.versions as [ServedVersion];
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => postJson(version.predictUrl, seedRequest)),
      );
      expect(responses.every((r) => r.status === 200 && r.elapsedMs >= delayMs)).toBe(true);
      const metrics = await scrape(version.metricsUrl);
      // Nothing lands below the delay; where above it depends on the machine's load, so only the
      // +Inf bucket's total is exact.
      for (const bucket of samplesOf(metrics, 'revision_app_request_latencies_bucket', {
        response_code: '200',
      })) {
        const bound = boundOf(bucket.labels.le);
        if (bound <= delayMs) expect(bucket.value).toBe(0);
        if (bound === Number.POSITIVE_INFINITY) expect(bucket.value).toBe(8);
      }
      expect(valueOf(metrics, 'revision_app_request_latencies_sum')).toBeGreaterThanOrEqual(8 * delayMs);
    } finally {
      await slow.stop();
    }
  });

  test('an error rate fails exactly that share of valid predictions, with 500s in the metrics', async () => {
    const flaky = await startModelServer({
      versions: [{ revisionName: 'flaky-00001', model: 'decision-tree', errorRate: 0.25 }],
    });
    try {
      const [version] = flaky.versions as [ServedVersion];
      const v1 = await Promise.all(
        Array.from({ length: 30 }, () => postJson(version.predictUrl, seedRequest)),
      );
      const v2Body = {
        inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [6.8, 2.8, 4.8, 1.4] }],
      };
      const v2 = await Promise.all(Array.from({ length: 10 }, () => postJson(version.inferUrl, v2Body)));
      const invalid = await postJson(version.predictUrl, { instances: [] }); // does not count toward the rate
      expect(invalid.status).toBe(400);

      const statuses = [...v1, ...v2].map((r) => r.status);
      expect(statuses.filter((s) => s === 500)).toHaveLength(10);
      expect(statuses.filter((s) => s === 200)).toHaveLength(30);
      const failed = [...v1, ...v2].find((r) => r.status === 500);
      expect(failed?.body).toEqual({
        error: 'injected failure: revision flaky-00001 fails a share of its predictions',
      });
      const metrics = await scrape(version.metricsUrl);
      expect(
        valueOf(metrics, 'revision_app_request_count', { response_code: '500', response_code_class: '5xx' }),
      ).toBe(10);
      expect(valueOf(metrics, 'revision_app_request_count', { response_code: '200' })).toBe(30);
      expect(valueOf(metrics, 'revision_app_request_latencies_count', { response_code_class: '5xx' })).toBe(
        10,
      );
    } finally {
      await flaky.stop();
    }
  });
});

describe('options', () => {
  test('bad options are a usage error listing every problem', async () => {
    await expect(
      startModelServer({
        versions: [
          { revisionName: 'a', model: 'decision-tree', port: 70000, errorRate: 2 },
          { revisionName: 'a', model: 'svm' as never },
        ],
      }),
    ).rejects.toMatchObject({
      name: 'UsageError',
      exitCode: 2,
      message:
        'invalid model server options: versions[0]: port must be an integer from 0 to 65535 (got 70000); ' +
        'versions[0]: errorRate must be a number from 0 to 1 (got 2); versions[1]: revision a is listed twice; ' +
        'versions[1]: model must be one of logistic-regression, decision-tree (got svm)',
    });
  });

  test('a port in use is an execution error naming it, and nothing is left listening', async () => {
    const taken = baseline.port;
    await expect(
      startModelServer({
        versions: [
          { revisionName: 'x-00001', model: 'decision-tree' },
          { revisionName: 'x-00002', model: 'decision-tree', port: taken },
        ],
      }),
    ).rejects.toMatchObject({
      name: 'CanaryError',
      exitCode: 4,
      message: `cannot listen on 127.0.0.1:${taken}: the address is already in use`,
    });
  });

  test('stop() is idempotent and closes the ports', async () => {
    const temporary = await startModelServer({
      versions: [{ revisionName: 't-00001', model: 'decision-tree' }],
    });
    const [version] = temporary.versions as [ServedVersion];
    expect((await postJson(version.predictUrl, seedRequest)).status).toBe(200);
    await Promise.all([temporary.stop(), temporary.stop()]);
    await temporary.stop();
    await expect(fetch(version.predictUrl, { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});
