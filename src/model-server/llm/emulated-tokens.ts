/**
 * The emulated model's output: a fixed cycle of tokens, some multi-byte, so a client that splits UTF-8
 * characters across reads shows up as mojibake in tests. One token per stream chunk, as vLLM sends.
 */
const vocabulary = [
  'The',
  ' canary',
  ' sings',
  ' é',
  'té',
  ' 日本',
  '語',
  ' 🐦',
  ' and',
  ' flies',
  '.',
] as const;

export function emulatedToken(index: number): string {
  return vocabulary[index % vocabulary.length]!;
}

/** A rough prompt token count: words and punctuation, at least 1, like a tokenizer's order of magnitude. */
export function countPromptTokens(text: string): number {
  return Math.max(1, text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)?.length ?? 0);
}
