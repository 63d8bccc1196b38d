import { httpStarter } from './http.js';
import { istioStarter } from './istio.js';
import { kserveStarter } from './kserve.js';
import { kserveRolloutStarter } from './kserve-rollout.js';
import { kserveLlmRolloutStarter } from './kserve-llm-rollout.js';
import { llmStarter } from './llm.js';

/** Starter experiments for `canary init`, by template name; each takes the `$schema` reference. */
export const starters = {
  http: httpStarter,
  kserve: kserveStarter,
  'kserve-rollout': kserveRolloutStarter,
  'kserve-llm-rollout': kserveLlmRolloutStarter,
  istio: istioStarter,
  llm: llmStarter,
} as const satisfies Record<string, (schema: string) => string>;

export type StarterName = keyof typeof starters;

export const starterNames = Object.keys(starters) as StarterName[];
