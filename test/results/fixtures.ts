import type { Experiment } from '../../src/config/experiment.js';
import type {
  EndRecord,
  HeaderRecord,
  LoopRecord,
  LoopStatus,
  SloVerdict,
  TaskOutcome,
} from '../../src/results/records.js';

export const hash = 'sha256:aaaa';

export function experiment(): Experiment {
  return {
    apiVersion: 'canary/v1',
    kind: 'Experiment',
    metadata: { name: 'demo' },
    spec: { concurrency: 4, tasks: [{ id: 'a', task: 'run', with: { script: 'true' }, needs: [] }] },
  };
}

export function header(extra: Partial<HeaderRecord> = {}): HeaderRecord {
  return {
    kind: 'header',
    format: 'canary.result/v1',
    tool: { name: 'canary', version: '0.0.0' },
    created: '2024-05-01T10:00:00.000Z',
    experimentHash: hash,
    firstLoop: 1,
    experiment: experiment(),
    ...extra,
  };
}

export function loopRecord(loop: number, extra: Partial<LoopRecord> = {}): LoopRecord {
  return {
    kind: 'loop',
    loop,
    experimentHash: hash,
    experimentStart: '2024-05-01T10:01:00.000Z',
    start: '2024-05-01T10:01:00.000Z',
    end: '2024-05-01T10:01:01.000Z',
    durationMs: 1000,
    status: 'completed',
    versions: ['version-0'],
    tasks: [{ id: 'a', task: 'run', status: 'completed', attempts: 1 }],
    metrics: [{}],
    slos: [],
    ...extra,
  };
}

export function endRecord(lastLoop: number, extra: Partial<EndRecord> = {}): EndRecord {
  return {
    kind: 'end',
    at: '2024-05-01T11:00:00.000Z',
    reason: 'done',
    loops: lastLoop,
    lastLoop,
    experimentHash: hash,
    ...extra,
  };
}

export function verdict(status: SloVerdict['status'], version = 0): SloVerdict {
  return {
    metric: 'p/latency',
    op: '<=',
    limit: 10,
    version,
    value: status === 'nodata' ? null : status === 'pass' ? 5 : 20,
    status,
    ...(status === 'nodata' ? { reason: 'metric not observed' } : {}),
  };
}

/** A loop whose task statuses and SLO verdicts are given; the loop status follows the engine's rule. */
export function judgedLoop(
  loop: number,
  tasks: TaskOutcome['status'][],
  slos: SloVerdict['status'][] = [],
): LoopRecord {
  const status: LoopStatus = tasks.includes('interrupted')
    ? 'interrupted'
    : tasks.includes('error')
      ? 'error'
      : tasks.includes('failed')
        ? 'failed'
        : 'completed';
  return loopRecord(loop, {
    status,
    tasks: tasks.map((s, i) => ({
      id: `t${i}`,
      task: 'x',
      status: s,
      ...(s === 'completed' ? {} : { message: `t${i} was ${s}` }),
    })),
    slos: slos.map((s) => verdict(s)),
  });
}

export const jsonl = (...records: object[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');
