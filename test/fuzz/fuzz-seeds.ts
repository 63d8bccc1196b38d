import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { starterNames, starters } from '../../src/cli/starters/index.js';
import { ITER8_SEED_SETS } from '../config/fixtures/iter8-seed.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface SeedDocument {
  /** Where the seed came from, for failure reports: `experiments/demo.yaml`, `starter:http`. */
  origin: string;
  text: string;
}

/** Every experiment shipped in experiments/ and every `canary init` starter. */
export const seedDocuments: readonly SeedDocument[] = [
  ...readdirSync(path.join(repoRoot, 'experiments'))
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => ({
      origin: `experiments/${name}`,
      text: readFileSync(path.join(repoRoot, 'experiments', name), 'utf8'),
    })),
  ...starterNames.map((name) => ({
    origin: `starter:${name}`,
    text: starters[name]('../schemas/experiment.schema.json'),
  })),
];

/** Seeds that read `values`, the ones `--set` changes. */
export const seedsReadingValues = seedDocuments.filter((seed) => seed.text.includes('values.'));

/** Names the seeds read from `values`, so generated `--set` keys hit real template paths. */
export const valueNamesInSeeds: readonly string[] = [
  ...new Set(seedDocuments.flatMap((seed) => [...seed.text.matchAll(/values\.(\w+)/g)].map((m) => m[1]!))),
].sort();

/**
 * Iter8 chart-style values (no experiment file): the seed command line from the reference use case,
 * with the builtin copy of its template instead of the gist URL, which the offline fuzzer cannot fetch.
 */
export const valuesOnlySeedSets: readonly string[] = ITER8_SEED_SETS.map((set) =>
  set.startsWith('custommetrics.templates.kserve-prometheus=')
    ? 'custommetrics.templates.kserve-prometheus=builtin:kserve-prometheus'
    : set,
);
