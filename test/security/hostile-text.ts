import fc from 'fast-check';

/**
 * Pieces of text that end strings, queries, templates, YAML, HTML, markdown or shell words, and
 * the placeholders canary's templates substitute; strings are made of them and of plain letters.
 */
export const hostilePieces = [
  '"',
  "'",
  '\\',
  '`',
  '\n',
  '\r\n',
  '\t',
  '\u0000',
  '\u007f',
  '}',
  '{',
  '{{',
  '}}',
  '{%',
  '%}',
  '{#',
  ']',
  ',',
  '=',
  ': ',
  '- ',
  '#',
  '|',
  '$',
  '$(id)',
  ';',
  '&',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '&amp;',
  '$labels',
  '$window',
  '$elapsed',
  'or vector(1)',
  'é',
  '😀',
  ' ',
  'a',
  'Z9',
];

export const hostileText = fc
  .array(fc.constantFrom(...hostilePieces), { maxLength: 8 })
  .map((pieces) => pieces.join(''));
