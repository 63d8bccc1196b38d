import { afterEach, describe, expect, test, vi } from 'vitest';
import ServeModel from '../../src/cli/commands/serve-model.js';
import { packageRoot } from '../../src/version.js';
import { postJson } from './support/send-request.js';

/** Runs the command in-process, capturing what it prints; process.emit stands in for Ctrl-C. */
function runCommand(argv: string[]) {
  const lines: string[] = [];
  const errors: string[] = [];
  vi.spyOn(ServeModel.prototype, 'log').mockImplementation((line?: string) => void lines.push(line ?? ''));
  vi.spyOn(ServeModel.prototype, 'logToStderr').mockImplementation(
    (line?: string) => void errors.push(line ?? ''),
  );
  const done = ServeModel.run(argv, { root: packageRoot });
  return { done, output: () => lines.join('\n'), errors: () => errors.join('\n') };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

afterEach(() => vi.restoreAllMocks());

describe('canary serve-model', () => {
  test('serves until SIGINT, then returns normally', async () => {
    const run = runCommand(['--port', '0', '--canary-delay', '1']);
    await waitFor(() => run.output().includes('Press Ctrl-C to stop.'));
    const predictUrl = /predict {2}(\S+)/.exec(run.output())?.[1];
    expect(predictUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/models\/sklearn-iris:predict$/);
    const response = await postJson(predictUrl!, { instances: [[6.8, 2.8, 4.8, 1.4]] });
    expect(response.body).toEqual({ predictions: [1] });
    // With --port 0 the gRPC ports are free ones too; the banner names them.
    const grpcTargets = [...run.output().matchAll(/grpc {5}(\S+) {2}inference\.GRPCInferenceService/g)].map(
      (m) => m[1],
    );
    expect(grpcTargets).toHaveLength(2);
    expect(grpcTargets.every((target) => /^127\.0\.0\.1:\d+$/.test(target!))).toBe(true);
    expect(grpcTargets).not.toContain('127.0.0.1:9000');
    process.emit('SIGINT');
    await expect(run.done).resolves.toBeUndefined();
    expect(run.output()).toContain('Received SIGINT; stopping.');
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  test('--model llm serves two emulated vLLM revisions that stream, until SIGINT', async () => {
    const run = runCommand(['--model', 'llm', '--port', '0', '--canary-delay', '5', '--token-interval', '1']);
    await waitFor(() => run.output().includes('candidate llama-00002'));
    const url = /candidate llama-00002 {2}(\S+)/.exec(run.output())?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(run.output()).toContain('+5 ms to the first token');
    const response = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, stream: true }),
    });
    const text = await response.text();
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text.match(/"content":/g)).toHaveLength(3);
    process.emit('SIGINT');
    await expect(run.done).resolves.toBeUndefined();
    expect(run.output()).toContain('Stopped.');
  });

  test.each([
    [['--canary-error-rate', '1.5'], '--canary-error-rate must be a number from 0 to 1 (got 1.5)'],
    [['--port', '65535'], '--port 65535 leaves no port for the candidate; set --port2'],
    [
      ['--port', '9000', '--port2', '9000'],
      '--port and --port2 are both 9000; each revision needs its own port',
    ],
    [
      ['--port', '9000'],
      '--port, --port2, --grpc-port and --grpc-port2 must be four different ports (got 9000, 9001, 9000, 9001)',
    ],
  ])('%j is a usage error', async (argv, message) => {
    const run = runCommand(argv);
    await expect(run.done).rejects.toMatchObject({ oclif: { exit: 2 } });
    expect(run.errors()).toBe(`canary: ${message}`);
  });
});
