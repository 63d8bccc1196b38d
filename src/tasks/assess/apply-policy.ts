import type { SloGate, SloVerdict } from '../../results/records.js';
import type { RawVerdict } from './judge-slo.js';
import type { SloPolicy } from './slo-rules.js';

/**
 * Turn a raw verdict into its effect on the exit code:
 * nodata / insufficient-data -> onNoData; a violation counts only after `failAfter` consecutive
 * violating loops (earlier ones warn); `warn` mode never fails, `observe` mode only records.
 * `previousStreak` is the number of consecutive violating loops before this one.
 */
export function applyPolicy(verdict: RawVerdict, policy: SloPolicy, previousStreak: number): SloVerdict {
  let gate: SloGate;
  switch (verdict.status) {
    case 'pass':
      gate = 'pass';
      break;
    case 'fail':
      gate = 'fail';
      break;
    case 'nodata':
    case 'insufficient-data':
      gate = policy.onNoData;
      break;
    case 'inconclusive':
      gate = 'inconclusive';
      break;
  }
  const streak = gate === 'fail' ? previousStreak + 1 : 0;
  if (gate === 'fail' && policy.failAfter !== undefined && streak < policy.failAfter) gate = 'warn';
  if (policy.mode === 'observe') gate = 'observe';
  else if (policy.mode === 'warn' && gate !== 'pass') gate = 'warn';
  // Records stay small: the policy is written only when it is not the default one.
  const isDefault =
    policy.mode === 'gate' && policy.onNoData === 'inconclusive' && policy.failAfter === undefined;
  return {
    ...verdict,
    ...(isDefault
      ? {}
      : {
          policy: {
            mode: policy.mode,
            onNoData: policy.onNoData,
            ...(policy.failAfter !== undefined ? { failAfter: policy.failAfter, streak } : {}),
          },
        }),
    gate,
  };
}
