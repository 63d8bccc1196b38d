/**
 * C0 and C1 control characters, DEL, line and paragraph separators, and bidirectional overrides:
 * text from outside canary (backend bodies, version and metric names, task output, reasons) that
 * would move the cursor, retitle or clear a terminal, ring it, or reorder what a reader sees.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * The one way such text reaches a human format: each control character is shown as its escape
 * (`\x1b`, `\u202e`), except those in `keep` (e.g. `'\n'` where a line break is the format's own).
 */
export function showControlCharacters(text: string, keep = ''): string {
  controlCharacters.lastIndex = 0;
  if (!controlCharacters.test(text)) return text;
  return text.replace(controlCharacters, (char) => {
    if (keep.includes(char)) return char;
    const code = char.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Whether `text` holds a character showControlCharacters would escape (names must not). */
export function hasControlCharacters(text: string): boolean {
  controlCharacters.lastIndex = 0;
  return controlCharacters.test(text);
}
