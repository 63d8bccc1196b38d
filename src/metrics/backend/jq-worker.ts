/**
 * The jq worker thread: runs one jq program at a time for jq-pool.ts. jq runs synchronously inside
 * wasm, so only a thread can be stopped while it runs; the main thread terminates this one when a
 * program exceeds its time or memory budget.
 */
import { parentPort } from 'node:worker_threads';
import { runJq } from './jq-runtime.js';

export interface JqRequest {
  id: number;
  filter: string;
  flags: string[];
}

parentPort?.on('message', (request: JqRequest) => {
  void runJq(request.filter, request.flags).then((outcome) => {
    parentPort?.postMessage({ id: request.id, outcome });
  });
});
// Says "ready" once jq is compiled and warm, so that no run's budget pays for the thread's start.
if (parentPort) void runJq('.', ['-n']).then(() => parentPort?.postMessage('ready'));
