import { execFileSync, fork } from 'node:child_process';
import os from 'node:os';

/**
 * Forks `script --server <delayMs>` (the bench's own loopback server) and waits for the port it reports.
 * `pin`: this process on core 0, the server on core 1, so the two do not compete.
 */
export function startServerChild(script, delayMs, pin) {
  const child = fork(script, ['--server', String(delayMs)]);
  if (pin) {
    execFileSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });
    execFileSync('taskset', ['-pc', '1', String(child.pid)], { stdio: 'ignore' });
  }
  return new Promise((resolve, reject) => {
    child.once('message', ({ port }) => resolve({ child, port }));
    child.once('error', reject);
  });
}

/** The server's own timing since the last call: it answers a 'stats' message, then starts over. */
export function serverStats(child) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (!message?.stats) return;
      child.off('message', onMessage);
      resolve(message.stats);
    };
    child.on('message', onMessage);
    child.send('stats');
  });
}

/** Undoes `pin` for this process: every core again. */
export function unpin() {
  try {
    execFileSync('taskset', ['-pc', `0-${os.cpus().length - 1}`, String(process.pid)], { stdio: 'ignore' });
  } catch {
    // taskset missing: nothing was pinned either.
  }
}
