/**
 * The logs of a group's pods, grouped by the loop each pod ran (the store's pod map) and in time
 * order. Says plainly when a pod has no logs yet, when a loop's pod is gone, and which pods have not
 * recorded a loop (running, or stopped before recording).
 */
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { abortableOptions } from './abortable-requests.js';
import { classifyApiFailure } from './api-failure.js';
import { groupSelector } from './group-names.js';
import { explainApiError, readGroupStoreOrEmpty, type GroupTarget } from './group-results.js';
import type { ClusterStore } from '../results/cluster-store.js';

export type LogState =
  /** The pod's log text is in `text`. */
  | 'logs'
  /** The pod exists but has written nothing (yet), or its container has not started. */
  | 'no-logs-yet'
  /** The loop's pod was deleted (by hand, `k delete`, or the Job history limits). */
  | 'pod-gone'
  /** The loop was recorded without a pod name (run outside a pod). */
  | 'no-pod'
  /** The loop was folded into the store's aggregates: nothing is known about its pod any more. */
  | 'summarized'
  /** No such loop has been recorded. */
  | 'not-recorded';

export interface LogEntry {
  /** Loop number; undefined for a pod that has not recorded a loop. */
  loop?: number;
  pod?: string;
  phase?: string;
  /** When the loop or pod started (ISO), the sort key. */
  at?: string;
  state: LogState;
  text?: string;
  /** Why there are no logs, in words. */
  note?: string;
}

export async function collectGroupLogs(
  target: GroupTarget,
  options: { loop?: number; signal: AbortSignal },
): Promise<LogEntry[]> {
  const store = await readGroupStoreOrEmpty(target, options.signal);
  const pods = await listGroupPods(target, options.signal);
  const byName = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
  const recorded = new Set(Object.values(store.pods));
  const entries: LogEntry[] = [];
  const loops = store.loops.filter((r) => options.loop === undefined || r.loop === options.loop);
  for (const record of loops) {
    const pod = store.pods[String(record.loop)];
    if (pod === undefined) {
      entries.push({
        loop: record.loop,
        at: record.start,
        state: 'no-pod',
        note: 'no pod was recorded for this loop',
      });
      continue;
    }
    const live = byName.get(pod);
    entries.push(
      live
        ? { loop: record.loop, at: record.start, ...(await readPodLogs(target, live, options.signal)) }
        : {
            loop: record.loop,
            pod,
            at: record.start,
            state: 'pod-gone',
            note: 'the pod is gone (deleted, or removed by the Job history limits)',
          },
    );
  }
  if (options.loop !== undefined && loops.length === 0) entries.push(missingLoop(store, options.loop));
  const wanted = options.loop === undefined || loops.length === 0;
  for (const pod of pods) {
    if (!wanted || recorded.has(pod.metadata?.name ?? '')) continue;
    entries.push({ ...(await readPodLogs(target, pod, options.signal)), at: startOf(pod) });
  }
  return entries.sort(byTime);
}

function missingLoop(store: ClusterStore, loop: number): LogEntry {
  const { firstLoop, lastLoop } = store.earlier;
  if (firstLoop !== undefined && lastLoop !== undefined && loop >= firstLoop && loop <= lastLoop) {
    return {
      loop,
      state: 'summarized',
      note: `loop ${loop} is only summarized in the store (it keeps the last ${store.loops.length} loops in full); its pod is long gone`,
    };
  }
  return { loop, state: 'not-recorded', note: `no loop ${loop} has been recorded` };
}

async function listGroupPods(target: GroupTarget, signal: AbortSignal): Promise<V1Pod[]> {
  const core = target.client.config.makeApiClient(CoreV1Api);
  try {
    const list = await core.listNamespacedPod(
      { namespace: target.namespace, labelSelector: groupSelector(target.names.group) },
      abortableOptions(signal),
    );
    return list.items;
  } catch (error) {
    throw explainApiError(error, target, {
      verb: 'list',
      resource: 'pods',
      purpose: "list the group's pods",
    });
  }
}

/** The pod's log (each container's, when it has several), or why there is none. */
async function readPodLogs(target: GroupTarget, pod: V1Pod, signal: AbortSignal): Promise<LogEntry> {
  const name = pod.metadata?.name ?? '';
  const phase = pod.status?.phase;
  const base = { pod: name, ...(phase ? { phase } : {}) };
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  const parts: string[] = [];
  for (const container of containers.length > 1 ? containers : [undefined]) {
    const text = await readLog(target, name, container, signal);
    if (typeof text !== 'string') return { ...base, state: text.state, note: text.note };
    if (text === '') continue;
    parts.push(container === undefined ? text : `--- container ${container}\n${text}`);
  }
  if (parts.length === 0) {
    const running = phase === undefined || phase === 'Pending' || phase === 'Running';
    return {
      ...base,
      state: 'no-logs-yet',
      note: running ? `no logs yet (the pod is ${phase ?? 'starting'})` : 'the pod wrote no logs',
    };
  }
  return { ...base, state: 'logs', text: parts.join('\n') };
}

async function readLog(
  target: GroupTarget,
  pod: string,
  container: string | undefined,
  signal: AbortSignal,
): Promise<string | { state: LogState; note: string }> {
  const core = target.client.config.makeApiClient(CoreV1Api);
  try {
    return await core.readNamespacedPodLog(
      { name: pod, namespace: target.namespace, ...(container !== undefined ? { container } : {}) },
      abortableOptions(signal),
    );
  } catch (error) {
    const failure = classifyApiFailure(error);
    if (failure?.type === 'status' && failure.code === 404) {
      return { state: 'pod-gone', note: 'the pod is gone (deleted while its logs were read)' };
    }
    // A container that has not started answers 400 "... is waiting to start: ContainerCreating".
    if (failure?.type === 'status' && failure.code === 400) {
      return { state: 'no-logs-yet', note: `no logs yet: ${failure.message}` };
    }
    throw explainApiError(error, target, {
      verb: 'get',
      resource: 'pods/log',
      name: pod,
      purpose: `read the logs of pod ${pod}`,
    });
  }
}

function startOf(pod: V1Pod): string | undefined {
  const time = pod.status?.startTime ?? pod.metadata?.creationTimestamp;
  if (time === undefined) return undefined;
  return time instanceof Date ? time.toISOString() : String(time);
}

/** Oldest first; entries without a time (loops never recorded) last, by loop number. */
function byTime(a: LogEntry, b: LogEntry): number {
  if (a.at !== undefined && b.at !== undefined && a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.at === undefined && b.at !== undefined) return 1;
  if (b.at === undefined && a.at !== undefined) return -1;
  return (a.loop ?? Number.MAX_SAFE_INTEGER) - (b.loop ?? Number.MAX_SAFE_INTEGER);
}

/** Text for `k log`: a heading per loop or pod, then its log or what is known about it. */
export function formatGroupLogs(entries: readonly LogEntry[]): string {
  if (entries.length === 0) return 'no loops recorded and no pods found for this group\n';
  const blocks = entries.map((entry) => {
    const what = [
      entry.loop !== undefined ? `loop ${entry.loop}` : undefined,
      entry.pod !== undefined ? `pod ${entry.pod}${entry.phase ? ` (${entry.phase})` : ''}` : undefined,
      entry.loop === undefined && entry.pod !== undefined
        ? 'no loop recorded (still running, or it stopped before recording)'
        : undefined,
      entry.at !== undefined ? `started ${entry.at}` : undefined,
    ].filter((part): part is string => part !== undefined);
    const heading = `=== ${what.join(' · ')}`;
    const body =
      entry.state === 'logs' ? (entry.text ?? '').replace(/\n$/, '') : `(${entry.note ?? entry.state})`;
    return `${heading}\n${body}`;
  });
  return `${blocks.join('\n\n')}\n`;
}
