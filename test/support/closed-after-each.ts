import { afterEach } from 'vitest';

/**
 * Wraps a function that starts a server so that every server it starts in a test is closed
 * after that test. Call at the top of a test file (it registers an afterEach hook).
 */
export function closedAfterEach<A extends unknown[], S extends { close(): Promise<void> }>(
  start: (...args: A) => Promise<S>,
): (...args: A) => Promise<S> {
  const started: S[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.close()));
  });
  return async (...args) => {
    const server = await start(...args);
    started.push(server);
    return server;
  };
}
