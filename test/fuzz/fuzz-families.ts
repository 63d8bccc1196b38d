/** The fuzz families: what each generates and how its values become documents. */
import fc from 'fast-check';
import { seedDocuments, seedsReadingValues } from './fuzz-seeds.js';
import { mutatedSeedSets, noValueArguments, valueArguments } from './set-arguments.js';
import { applyStructureMutations, serialization, structureMutation } from './structure-mutations.js';
import type { FuzzDocument, Outcome } from './validate-document.js';
import { applyTextMutations, hostileFragments, textMutation } from './yaml-mutations.js';

export interface FuzzFamily<T> {
  name: string;
  /** Share of the run's documents. */
  share: number;
  arbitrary: fc.Arbitrary<T>;
  toDocument: (value: T) => FuzzDocument;
  /** Outcomes each run must include, so a generator that stopped reaching a stage is noticed. */
  expectKinds: ReadonlyArray<Outcome['kind']>;
}

function family<T>(definition: FuzzFamily<T>): FuzzFamily<T> {
  return definition;
}

export const textMutations = family({
  name: 'line and token mutations',
  share: 0.45,
  arbitrary: fc.record({
    seed: fc.nat({ max: seedDocuments.length - 1 }),
    mutations: fc.array(textMutation, { minLength: 1, maxLength: 4 }),
  }),
  toDocument: ({ seed, mutations }) => ({ text: applyTextMutations(seedDocuments[seed]!.text, mutations) }),
  expectKinds: ['valid', 'invalid'],
});

export const hostileDocuments = family({
  name: 'hostile and non-YAML documents',
  share: 0.03,
  arbitrary: fc.oneof(
    fc.constantFrom(...hostileFragments.map((f) => f.text)),
    fc.uint8Array({ maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    fc.string({ unit: 'binary', maxLength: 200 }),
  ),
  toDocument: (text) => ({ text }),
  expectKinds: ['invalid'],
});

export const structureMutations = family({
  name: 'node, key and type mutations',
  share: 0.35,
  arbitrary: fc.record({
    seed: fc.nat({ max: seedDocuments.length - 1 }),
    mutations: fc.array(structureMutation, { minLength: 1, maxLength: 3 }),
    style: serialization,
  }),
  toDocument: ({ seed, mutations, style }) => ({
    text: applyStructureMutations(seedDocuments[seed]!.text, mutations, style),
  }),
  expectKinds: ['valid', 'invalid'],
});

export const valuesWithExperiment = family({
  name: 'values with an experiment that reads them',
  share: 0.09,
  arbitrary: fc.record({ seed: fc.nat({ max: seedsReadingValues.length - 1 }), args: valueArguments }),
  toDocument: ({ seed, args }) => ({ text: seedsReadingValues[seed]!.text, ...args }),
  expectKinds: ['valid', 'invalid', 'usage'],
});

export const valuesAlone = family({
  name: 'values alone (experiment built from values)',
  share: 0.08,
  arbitrary: fc.record({
    sets: mutatedSeedSets,
    rest: fc.oneof(fc.constant(noValueArguments), valueArguments),
  }),
  toDocument: ({ sets, rest }) => ({ ...rest, sets: [...sets, ...rest.sets] }),
  expectKinds: ['valid', 'invalid', 'usage'],
});
