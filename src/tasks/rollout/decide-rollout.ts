/**
 * One loop's rollout decision, from this loop's SLO verdicts, the position
 * read from the object and the previous loop's decision. Pure: the caller
 * reads and patches. The rules, in order:
 * - a rollout that already promoted, rolled back or saw a person's change holds;
 * - a change nobody here made (new resourceVersion, different traffic) holds, for good;
 * - no verdict, or no gating one, holds: canary never acts on what it did not judge;
 * - a failed gating SLO rolls back (or holds, with onFailure: hold);
 * - an inconclusive one holds and restarts the count of passes;
 * - all passing counts toward the next step; after passesPerStep the traffic moves,
 *   unless the object is not Ready, KServe has not applied the last move, or
 *   maxStepsPerHour is reached.
 */
import { verdictGate, type RolloutDecision, type SloVerdict } from '../../results/records.js';
import type { TrafficPosition } from './inference-service-traffic.js';

export interface RolloutPolicy {
  steps: readonly number[];
  passesPerStep: number;
  onFailure: 'rollback' | 'hold';
  maxStepsPerHour?: number;
}

export interface DecisionInput {
  policy: RolloutPolicy;
  position: TrafficPosition;
  verdicts: readonly SloVerdict[];
  versions: readonly string[];
  previous?: RolloutDecision;
  loop: number;
  now: Date;
  /** The candidate's share after a rollback: 0, or (LLMInferenceService) its share when the rollout began. */
  rollbackTo?: number;
}

/** The decision without acted/patch/resourceVersion, which depend on what the caller then does. */
export type Decided = Omit<RolloutDecision, 'acted' | 'resourceVersion' | 'patch'>;

const HOUR_MS = 3_600_000;

export function decideRollout(input: DecisionInput): Decided {
  const { policy, position, previous, loop, now } = input;
  const from = position.percent;
  const moves = (previous?.moves ?? []).filter((at) => now.getTime() - Date.parse(at) < HOUR_MS);
  const keep = { from, to: from, ...(moves.length > 0 ? { moves } : {}) };
  const hold = (why: string, passes = 0, extra: Partial<Decided> = {}): Decided => ({
    action: 'hold',
    ...keep,
    why,
    passes,
    ...extra,
  });

  // (Under --no-act nothing was done, so a trial keeps deciding.)
  if (previous?.acted && (previous.action === 'promote' || previous.action === 'rollback')) {
    const done = previous.action === 'promote' ? 'promoted' : 'rolled back';
    return hold(`the candidate was already ${done}; nothing more to do`, 0, { action: 'hold' });
  }
  if (previous?.driftSince !== undefined) {
    return hold(
      `on hold since loop ${previous.driftSince}, when someone else changed the traffic; start a fresh run (--fresh) to roll out again`,
      0,
      { driftSince: previous.driftSince },
    );
  }
  if (previous) {
    const left = previous.acted ? previous.to : previous.from;
    const changed =
      previous.resourceVersion !== undefined &&
      position.resourceVersion !== previous.resourceVersion &&
      from !== left;
    if (changed) {
      return hold(
        `the traffic was changed by someone else since the last loop (canary left at ${left}%, now ${from}%); holding, never overriding a person's change`,
        0,
        { driftSince: loop },
      );
    }
  }

  const judged = judge(input.verdicts, input.versions);
  if (judged.kind === 'unjudged') return hold(judged.why);
  if (judged.kind === 'fail') {
    if (policy.onFailure === 'hold') return hold(`${judged.why}; onFailure: hold`);
    return {
      action: 'rollback',
      ...keep,
      to: input.rollbackTo ?? 0,
      why: `${judged.why}; rolling back`,
      passes: 0,
    };
  }
  if (judged.kind === 'inconclusive') return hold(`${judged.why}; the count of passes starts again`);

  const continuing = previous !== undefined && (previous.acted ? previous.to : previous.from) === from;
  const passes = (continuing ? previous.passes : 0) + 1;
  if (!position.inCanary) return hold(position.notInCanary ?? 'no canary in progress', 0);
  if (passes < policy.passesPerStep) {
    return hold(`SLOs passed (${passes} of ${policy.passesPerStep} passes at ${from}%)`, passes);
  }
  if (position.ready !== undefined && position.ready !== 'True') {
    return hold(`SLOs passed, but the InferenceService is not Ready (Ready=${position.ready})`, passes);
  }
  if (position.observed !== undefined && position.observed !== from) {
    return hold(
      `SLOs passed, but KServe routes ${position.observed}% to the candidate, not the ${from}% configured; waiting for it to catch up`,
      passes,
    );
  }
  const next = policy.steps.find((step) => step > from);
  if (next === undefined) {
    return hold(`SLOs passed at ${from}%, the last step; steps do not reach 100, so no promotion`, passes);
  }
  if (policy.maxStepsPerHour !== undefined && moves.length >= policy.maxStepsPerHour) {
    const allowed = new Date(Date.parse(moves[0]!) + HOUR_MS).toISOString();
    return hold(
      `SLOs passed, but ${moves.length} moves in the last hour reach maxStepsPerHour (${policy.maxStepsPerHour}); next move after ${allowed}`,
      passes,
    );
  }
  const passed = `every gating SLO passed (${passes} of ${policy.passesPerStep} at ${from}%)`;
  const moved = [...moves, now.toISOString()];
  if (next >= 100)
    return { action: 'promote', from, to: 100, why: `${passed}; promoting`, passes: 0, moves: moved };
  return { action: 'advance', from, to: next, why: `${passed}; next step ${next}%`, passes: 0, moves: moved };
}

type Judged = { kind: 'pass' } | { kind: 'fail' | 'inconclusive' | 'unjudged'; why: string };

/** The loop's verdicts, gating ones only (warn and observe never move traffic). */
function judge(verdicts: readonly SloVerdict[], versions: readonly string[]): Judged {
  if (verdicts.length === 0) {
    return {
      kind: 'unjudged',
      why: 'no SLO was judged in this loop (the rollout task must run after assess); holding',
    };
  }
  const gating = verdicts.filter((v) => ['pass', 'fail', 'inconclusive'].includes(verdictGate(v)));
  if (gating.length === 0)
    return { kind: 'unjudged', why: 'no gating SLO in this loop (all warn or observe); holding' };
  const failed = gating.filter((v) => verdictGate(v) === 'fail');
  if (failed.length > 0)
    return { kind: 'fail', why: `SLO failed: ${failed.map((v) => describe(v, versions)).join(', ')}` };
  const open = gating.filter((v) => verdictGate(v) === 'inconclusive');
  if (open.length > 0) {
    return {
      kind: 'inconclusive',
      why: `SLO inconclusive: ${open.map((v) => describe(v, versions)).join(', ')}`,
    };
  }
  return { kind: 'pass' };
}

function describe(verdict: SloVerdict, versions: readonly string[]): string {
  const version = versions[verdict.version] ?? `version ${verdict.version}`;
  const value = verdict.value === null ? (verdict.reason ?? 'no data') : String(verdict.value);
  return `${verdict.metric} ${verdict.op} ${verdict.limit ?? '?'} for ${version} (${value})`;
}
