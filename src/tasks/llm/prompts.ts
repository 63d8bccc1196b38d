import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createSeededRandom } from '../../model-server/seeded-random.js';
import type { PromptsInput } from './llm-input.js';

export const defaultSynthetic = { count: 100, minWords: 16, maxWords: 256, seed: 1 } as const;

/** Plain words, so any tokenizer gives a predictable count (about one token per word). */
const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett'];

export class PromptFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptFileError';
  }
}

/** The prompts the load cycles through. */
export async function loadPrompts(input: PromptsInput | undefined, experimentDir: string): Promise<string[]> {
  if (input === undefined) return syntheticPrompts(defaultSynthetic);
  if (Array.isArray(input)) return input;
  if ('file' in input) return readPromptFile(path.resolve(experimentDir, input.file), input.file);
  return syntheticPrompts({ ...defaultSynthetic, ...input.synthetic });
}

export function syntheticPrompts(options: {
  count: number;
  minWords: number;
  maxWords: number;
  seed: number;
}): string[] {
  const random = createSeededRandom(options.seed);
  const low = Math.min(options.minWords, options.maxWords);
  const span = Math.max(options.minWords, options.maxWords) - low + 1;
  return Array.from({ length: options.count }, () => {
    const length = low + Math.floor(random() * span);
    return Array.from({ length }, () => words[Math.floor(random() * words.length)]!).join(' ');
  });
}

/** JSON Lines: each line a JSON string or an object with a string `prompt`; blank lines are skipped. */
async function readPromptFile(file: string, shown: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PromptFileError(
      `cannot read prompts file ${shown}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const prompts: string[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new PromptFileError(
        `${shown}:${index + 1}:1: not JSON (each line is a JSON string or {"prompt": ...})`,
      );
    }
    const prompt = typeof value === 'string' ? value : (value as { prompt?: unknown } | null)?.prompt;
    if (typeof prompt !== 'string' || prompt === '') {
      throw new PromptFileError(`${shown}:${index + 1}:1: expected a non-empty string or {"prompt": "..."}`);
    }
    prompts.push(prompt);
  }
  if (prompts.length === 0) throw new PromptFileError(`${shown} holds no prompts`);
  return prompts;
}
