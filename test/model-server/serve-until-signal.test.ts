import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import type { ModelServer } from '../../src/model-server/start-model-server.js';
import { serveUntilSignal, type ServeSettings } from '../../src/model-server/serve-until-signal.js';
import { postJson, scrape } from './support/send-request.js';
import { valueOf } from './support/parse-prometheus-text.js';

const settings: ServeSettings = {
  host: '127.0.0.1',
  port: 0,
  port2: 0,
  canaryDelayMs: 0,
  canaryErrorRate: 0,
};
const seedRequest = {
  instances: [
    [6.8, 2.8, 4.8, 1.4],
    [6.0, 3.4, 4.5, 1.6],
  ],
};

function serveInBackground(overrides: Partial<ServeSettings> = {}) {
  const signals = new EventEmitter();
  const lines: string[] = [];
  let ready!: (server: ModelServer) => void;
  const started = new Promise<ModelServer>((resolve) => (ready = resolve));
  const done = serveUntilSignal(
    { ...settings, ...overrides },
    { log: (line) => lines.push(line), signals, onReady: ready },
  );
  return { signals, lines, started, done };
}

describe('serveUntilSignal', () => {
  test('serves baseline and candidate, prints URLs and a curl, stops on SIGTERM', async () => {
    const run = serveInBackground({ canaryDelayMs: 5, canaryErrorRate: 0.5 });
    const server = await run.started;
    const [baseline, candidate] = server.versions;
    expect(baseline).toMatchObject({
      revisionName: 'sklearn-iris-predictor-default-00001',
      model: 'logistic-regression',
    });
    expect(candidate).toMatchObject({
      revisionName: 'sklearn-iris-predictor-default-00002',
      model: 'decision-tree',
    });
    const text = run.lines.join('\n');
    expect(text).toContain(
      `sklearn-iris-predictor-default-00002  decision-tree (delay 5 ms, error rate 0.5)`,
    );
    expect(text).toContain(`predict  ${baseline!.predictUrl}`);
    expect(text).toContain(`metrics  ${candidate!.metricsUrl}`);
    expect(text).toContain(
      `curl -s -H 'Content-Type: application/json' -d '{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}' ${baseline!.predictUrl}`,
    );

    // Faults go to the candidate only: every second prediction fails there.
    const baselineStatuses = await Promise.all([1, 2].map(() => postJson(baseline!.predictUrl, seedRequest)));
    const candidateStatuses = await Promise.all(
      [1, 2].map(() => postJson(candidate!.predictUrl, seedRequest)),
    );
    expect(baselineStatuses.map((r) => r.status)).toEqual([200, 200]);
    expect(candidateStatuses.map((r) => r.status).sort()).toEqual([200, 500]);
    expect(
      valueOf(await scrape(candidate!.metricsUrl), 'revision_app_request_count', { response_code: '500' }),
    ).toBe(1);

    expect(run.signals.listenerCount('SIGINT')).toBe(1);
    run.signals.emit('SIGTERM');
    await expect(run.done).resolves.toBe('SIGTERM');
    expect(run.lines.slice(-2)).toEqual(['Received SIGTERM; stopping.', 'Stopped.']);
    expect(run.signals.listenerCount('SIGINT') + run.signals.listenerCount('SIGTERM')).toBe(0);
    await expect(fetch(baseline!.url)).rejects.toThrow();
  });

  test('a start-up failure removes the signal listeners and rethrows', async () => {
    const signals = new EventEmitter();
    const blocker = serveInBackground();
    const taken = (await blocker.started).versions[0]!.port;
    try {
      await expect(
        serveUntilSignal({ ...settings, port2: taken }, { log: () => {}, signals }),
      ).rejects.toThrow(`cannot listen on 127.0.0.1:${taken}`);
      expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
    } finally {
      blocker.signals.emit('SIGINT');
      await blocker.done;
    }
  });
});
