import { httpStarter } from './http.js';
import { istioStarter } from './istio.js';
import { kserveStarter } from './kserve.js';
import { llmStarter } from './llm.js';

/** Starter experiments for `canary init`, by template name; each takes the `$schema` reference. */
export const starters = {
  http: httpStarter,
  kserve: kserveStarter,
  istio: istioStarter,
  llm: llmStarter,
} as const satisfies Record<string, (schema: string) => string>;

export type StarterName = keyof typeof starters;

export const starterNames = Object.keys(starters) as StarterName[];
