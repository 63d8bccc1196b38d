import { Worker } from 'node:worker_threads';

/**
 * A hang inside synchronous code (a regex that backtracks forever, a template loop) blocks the event
 * loop, so no timer in the test can fire. This watchdog lives on its own thread: when one document
 * runs longer than `limitMs`, it writes the report (every file in `documentDir`: the document, its
 * values files and its description) to stderr and to `reportFile`,
 * then kills the test process, so CI fails with the culprit instead of hanging until its own timeout.
 */
export class HangWatchdog {
  private readonly state = new Float64Array(new SharedArrayBuffer(16));
  private readonly worker: Worker;

  constructor(options: { limitMs: number; reportFile: string; documentDir: string }) {
    this.worker = new Worker(WATCHDOG_SOURCE, {
      eval: true,
      workerData: { state: this.state.buffer, ...options },
    });
    this.worker.unref();
  }

  /** Arms the watchdog for one document, already written to `documentDir`. */
  start(): void {
    this.state[0] = Date.now();
  }

  stop(): void {
    this.state[0] = 0;
  }

  async close(): Promise<void> {
    this.state[1] = 1;
    await this.worker.terminate();
  }
}

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const state = new Float64Array(workerData.state);
const tick = new Int32Array(new SharedArrayBuffer(4));
while (state[1] === 0) {
  Atomics.wait(tick, 0, 0, 200);
  const started = state[0];
  if (started > 0 && Date.now() - started > workerData.limitMs) {
    let described = '';
    for (const entry of fs.readdirSync(workerData.documentDir, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const text = fs.readFileSync(workerData.documentDir + '/' + entry.name, 'utf8');
      described += '--- ' + entry.name + '\\n' + text.slice(0, 20000) + '\\n';
    }
    const report = 'FUZZ HANG: one document ran longer than ' + workerData.limitMs + ' ms (synchronous code, no timer could fire)\\n' + described + '\\n';
    try { fs.writeFileSync(workerData.reportFile, report); } catch {}
    fs.writeSync(2, report + 'report saved to ' + workerData.reportFile + '\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}
`;
