import { afterEach, expect, it } from 'vitest';
import { closeHttpConnections, getHttpDispatcher } from '../../src/util/http-dispatcher.js';

// Its own file: undici warns once per process, so a dispatcher made by an earlier test would hide it.
afterEach(() => closeHttpConnections());

it("a proxy from the env makes no warning of undici's reach the user", async () => {
  const warnings: Error[] = [];
  const collect = (warning: Error) => warnings.push(warning);
  process.on('warning', collect);
  try {
    getHttpDispatcher({}, { HTTPS_PROXY: 'http://127.0.0.1:9' });
    process.emitWarning('still reported', { code: 'CANARY-TEST' });
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('warning', collect);
  }
  expect(warnings.map((w) => (w as Error & { code?: string }).code)).toEqual(['CANARY-TEST']);
});
