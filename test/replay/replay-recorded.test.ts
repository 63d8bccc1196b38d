/**
 * Replay gives the same verdicts as the original run for every committed experiment's recorded
 * loops (experiments/recorded/<stem>.jsonl, written by bin/record-examples.mjs): nothing changes,
 * field for field (gate, limit, relative, comparison, policy), and the exit code is the run's.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareExperiment } from '../../src/cli/prepare-experiment.js';
import { hashExperiment, readResults } from '../../src/results/result-file.js';
import { assertConditions, experimentState } from '../../src/results/assertions.js';
import { verdictGate, type SloVerdict } from '../../src/results/records.js';
import { replayLoops } from '../../src/replay/replay-loops.js';
import { compareLoops } from '../../src/replay/verdict-changes.js';
import { runCli } from '../cli/cli-harness.js';

const root = path.resolve(import.meta.dirname, '../..');
const recordedDir = path.join(root, 'experiments', 'recorded');

/** Experiments bin/record-examples.mjs cannot run on a machine without a cluster, and why. */
const notRecorded: Record<string, string> = {
  sklearn: 'its ready task needs a Kubernetes cluster and its Prometheus is the in-cluster address',
  'demo-llm':
    'bin/record-examples.mjs does not start the emulated LLM servers yet; test/demo/demo-llm.test.ts runs it for real',
};

async function experimentStems(): Promise<string[]> {
  return (await readdir(path.join(root, 'experiments')))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => name.replace(/\.yaml$/, ''))
    .sort();
}

/** As the result file stores a verdict: no undefined fields, no NaN. */
function stored(verdicts: readonly SloVerdict[]): unknown {
  return JSON.parse(JSON.stringify(verdicts));
}

describe('replaying the committed recordings', () => {
  it('every experiment has a recording, or a reason it has none', async () => {
    const recorded = new Set((await readdir(recordedDir)).map((name) => name.replace(/\.jsonl$/, '')));
    for (const stem of await experimentStems()) {
      expect(recorded.has(stem) || stem in notRecorded, `experiments/recorded/${stem}.jsonl`).toBe(true);
    }
    for (const stem of recorded) expect(await experimentStems()).toContain(stem);
  });

  it('gives the verdicts the run gave, loop by loop, for every recorded experiment', async () => {
    const kinds = new Set<string>();
    for (const stem of await experimentStems()) {
      if (stem in notRecorded) continue;
      const ready = await prepareExperiment(
        path.join(root, 'experiments', `${stem}.yaml`),
        { set: [], 'set-string': [], values: [] },
        root,
        () => {},
      );
      const history = await readResults(path.join(recordedDir, `${stem}.jsonl`));
      expect(history.header?.experiment.metadata.name, stem).toBe(ready.experiment.metadata.name);
      expect(history.loops.length, stem).toBeGreaterThanOrEqual(2);
      // Some SLOs pass and some fail in every recording, so an identical replay means something.
      const gates = history.loops.flatMap((loop) => loop.slos.map(verdictGate));
      expect(gates, stem).toContain('pass');
      expect(
        gates.some((gate) => gate === 'fail' || gate === 'warn'),
        stem,
      ).toBe(true);

      const replayed = await replayLoops({
        plan: ready.plan,
        registry: ready.registry,
        experimentHash: hashExperiment(ready.experiment),
        experimentDir: ready.experimentDir,
        values: ready.values,
        env: {},
        history,
      });
      expect(
        replayed.map((loop) => loop.recorded.loop),
        stem,
      ).toEqual(history.loops.map((loop) => loop.loop));
      for (const { recorded, replayed: again } of replayed) {
        const where = `${stem} loop ${recorded.loop}`;
        expect(again.slos.length, where).toBeGreaterThan(0);
        expect(stored(again.slos), where).toEqual(stored(recorded.slos));
        const changes = compareLoops(recorded, again);
        expect(changes.verdicts, where).toEqual([]);
        expect(changes.tasks, where).toEqual([]);
        expect(changes.unchanged, where).toBe(recorded.slos.length);
        expect(again.status, where).toBe(recorded.status);
        for (const verdict of again.slos) kinds.add(verdict.kind ?? 'absolute');
      }
      const before = assertConditions(experimentState(history), {
        completed: true,
        nofailure: true,
        slos: true,
      });
      const after = assertConditions(
        experimentState({ ...history, loops: replayed.map((loop) => loop.replayed) }),
        { completed: true, nofailure: true, slos: true },
      );
      expect(after, stem).toEqual(before);
    }
    // The recordings cover every kind of SLO, so the fields compared above include relative and comparison results.
    expect([...kinds].sort()).toEqual(['absolute', 'compare', 'relative']);
  });

  it("canary run X.yaml --replay experiments/recorded/X.jsonl exits with the run's code and says nothing changed", async () => {
    const result = await runCli(
      [
        'run',
        'experiments/compare-revisions.yaml',
        '--replay',
        'experiments/recorded/compare-revisions.jsonl',
      ],
      { cwd: root },
    );
    const history = await readResults(path.join(recordedDir, 'compare-revisions.jsonl'));
    const expected = assertConditions(experimentState(history), {
      completed: true,
      nofailure: true,
      slos: true,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(expected.exitCode);
    expect(result.stdout).toContain(
      `summary: ${history.loops.length} loops replayed, no verdict changed (18 verdicts)`,
    );
  });
});
