/**
 * Iter8's chart shortcuts for the ready task (`--set ready.isvc=my-model`):
 * which resource each key waits for, and on which condition. The values
 * expansion in src/config/from-values.ts builds the same inputs; a test keeps
 * the two in step.
 */

export interface ReadyShortcut {
  group: string;
  version: string;
  resource: string;
  /** Condition that must be True; none means the object only has to exist. */
  condition?: string;
}

/** Keyed as under `values.ready`, in the chart's order. */
export const readyShortcuts = {
  service: { group: '', version: 'v1', resource: 'services' },
  deploy: { group: 'apps', version: 'v1', resource: 'deployments', condition: 'Available' },
  ksvc: { group: 'serving.knative.dev', version: 'v1', resource: 'services', condition: 'Ready' },
  isvc: { group: 'serving.kserve.io', version: 'v1beta1', resource: 'inferenceservices', condition: 'Ready' },
  chaosengine: { group: 'litmuschaos.io', version: 'v1alpha1', resource: 'chaosengines' },
} as const satisfies Readonly<Record<string, ReadyShortcut>>;

export type ReadyShortcutKey = keyof typeof readyShortcuts;
