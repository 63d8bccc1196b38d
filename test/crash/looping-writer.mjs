// The write path of `canary run` without its command-line front: the real ResultWriter (lock, torn-line
// recovery, --fresh archiving), ResultObserver (header, loops, end) and engine, looping back to back
// over an in-memory task. Loading the CLI costs about a second of CPU per start (the task registry),
// which 200 restarts on a shared machine cannot afford; sigkill.test.ts kills the real binary too.
// Usage: node looping-writer.mjs RESULT_FILE [--fresh]
import { ResultWriter, hashExperiment } from '../../dist/results/result-file.js';
import { ResultObserver } from '../../dist/cli/result-observer.js';
import { runExperiment } from '../../dist/engine/run-experiment.js';

const [file, ...flags] = process.argv.slice(2);
const experiment = {
  apiVersion: 'canary/v1',
  kind: 'Experiment',
  metadata: { name: 'crash' },
  spec: { concurrency: 1, tasks: [{ id: 'fixed', task: 'fixed', with: {}, needs: [] }] },
};
const fixed = {
  name: 'fixed',
  description: 'records a metric and 64 KiB of output',
  inputSchema: { type: 'object' },
  async run(_input, context) {
    context.metrics.record(0, 'fixed/latency', 5 + (Date.now() % 7));
    return { output: 'x'.repeat(64 * 1024) };
  },
};
const plan = {
  experiment: { name: 'crash' },
  versions: [],
  concurrency: 1,
  waves: [['fixed']],
  tasks: [{ id: 'fixed', task: 'fixed', with: {}, needs: [], retries: 0 }],
};

const writer = await ResultWriter.open(file, { fresh: flags.includes('--fresh') }).catch((error) => {
  // As the CLI reports a refusal: its message and exit code (6 when another run holds the file).
  process.stderr.write(`canary: ${error.message}\n`);
  process.exit(error.exitCode ?? 1);
});
for (const warning of writer.warnings) process.stderr.write(`canary: ${warning}\n`);
const hash = hashExperiment(experiment);
try {
  await runExperiment({
    plan,
    registry: new Map([['fixed', fixed]]),
    experimentHash: hash,
    experimentDir: process.cwd(),
    firstLoop: writer.lastLoop + 1,
    ...(!writer.needsHeader(hash) && writer.experimentStart
      ? { experimentStart: new Date(writer.experimentStart) }
      : {}),
    loops: Number(process.env.LOOPS ?? 1_000_000),
    signal: new AbortController().signal,
    observers: [new ResultObserver(writer, experiment, hash, 'crash.yaml')],
  });
} finally {
  await writer.close();
}
