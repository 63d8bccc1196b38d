/**
 * `text` as one POSIX shell word: in single quotes, where nothing is special but the closing
 * quote, which is written as '\''. A shell word cannot hold NUL.
 */
export function quoteShellWord(text: unknown): string {
  const value = String(text);
  if (value.includes('\u0000')) throw new Error('shellquote: a shell word cannot hold a NUL character');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
