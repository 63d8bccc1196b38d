/** Reads the golden cases produced by tools/go-render (real Go + Sprig output). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GoInt, type GoIntKind } from '../../../src/metrics/go-template/index.js';

export const goldenRoot = join(dirname(fileURLToPath(import.meta.url)), 'golden');

export interface GoldenCase {
  name: string;
  source: string;
  values: unknown;
  expected: { output: string } | { phase: 'parse' | 'execute'; message: string };
}

// Values files mark Go ints under these keys, since JSON numbers are float64.
const intMarkers: Record<string, GoIntKind> = { __goInt__: 'int', __goInt64__: 'int64' };

export function readValues(path: string): unknown {
  if (!existsSync(path)) return undefined;
  const values = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> | null;
  if (values === null) return undefined;
  for (const [marker, kind] of Object.entries(intMarkers)) {
    const ints = values[marker] as Record<string, number> | undefined;
    if (ints === undefined) continue;
    for (const [key, value] of Object.entries(ints)) values[key] = new GoInt(value, kind);
    delete values[marker];
  }
  return values;
}

export function readGoldenCases(directory: string): GoldenCase[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.tpl'))
    .sort()
    .map((file) => {
      const base = join(directory, file.slice(0, -'.tpl'.length));
      const name = file.slice(0, -'.tpl'.length);
      let expected: GoldenCase['expected'];
      if (existsSync(base + '.out')) {
        expected = { output: readFileSync(base + '.out', 'utf8') };
      } else {
        const [phase, ...rest] = readFileSync(base + '.err', 'utf8').split('\n');
        expected = { phase: phase as 'parse' | 'execute', message: rest.join('\n').replace(/\n$/, '') };
      }
      return {
        name,
        source: readFileSync(base + '.tpl', 'utf8'),
        values: readValues(base + '.values.json'),
        expected,
      };
    });
}
