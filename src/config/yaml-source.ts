import {
  Composer,
  Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  Parser,
  visit,
  YAMLParseError,
  type CST,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { formatPath, hasErrors, type Diagnostic, type PathSegment } from './diagnostics.js';
import { findStructureProblems } from './yaml-structure.js';

/** A parsed YAML document that can say where any path of its value came from. */
export interface YamlSource {
  file: string;
  text: string;
  value: unknown;
  diagnostics: Diagnostic[];
  /** 1-based line and column of the node at `path`, or of its nearest existing ancestor. */
  positionOf(path: readonly PathSegment[], options?: { key?: boolean }): { line: number; column: number };
}

export function readYamlSource(file: string, text: string): YamlSource {
  const { doc, tooDeep, lineCounter } = parseOneDocument(text);
  const toPosition = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const diagnostics: Diagnostic[] = [];
  const report = (severity: Diagnostic['severity'], offset: number, message: string, hint?: string) => {
    diagnostics.push({ severity, file, ...toPosition(offset), path: '', message, hint });
  };
  if (tooDeep !== undefined) {
    report(
      'error',
      tooDeep,
      `YAML: nested more than ${MAX_NESTING} levels deep`,
      'an experiment needs a few levels; look for unclosed [ or { brackets',
    );
  }
  // One unclosed bracket can make hundreds of errors; the first ones locate it.
  const errors = doc.errors.slice(0, MAX_YAML_ERRORS);
  for (const problem of errors) {
    report('error', problem.pos[0], `YAML: ${firstLine(problem.message)}`, yamlHint(problem.code));
  }
  if (doc.errors.length > errors.length) {
    report(
      'error',
      doc.errors[errors.length]!.pos[0],
      `YAML: ${doc.errors.length - errors.length} more errors after this point are not shown`,
      'fix the errors above first',
    );
  }
  for (const problem of doc.warnings.slice(0, MAX_YAML_ERRORS)) {
    report('warning', problem.pos[0], `YAML: ${firstLine(problem.message)}`, yamlHint(problem.code));
  }
  if (doc.errors.length === 0 && tooDeep === undefined) {
    for (const problem of findStructureProblems(doc).slice(0, MAX_YAML_ERRORS)) {
      report('error', problem.offset, problem.message, problem.hint);
    }
  }
  const value = hasErrors(diagnostics) ? undefined : toValue(doc, report);
  // A document with thousands of unknown keys gets as many diagnostics: find each key in O(1).
  const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
  return {
    file,
    text,
    value,
    diagnostics,
    positionOf(path, options = {}) {
      const offset = offsetOf(doc, path, options.key ?? false, pairIndex);
      return offset === undefined ? { line: 1, column: 1 } : toPosition(offset);
    },
  };
}

/** Deeper than any experiment needs, and far from where recursive code runs out of stack. */
export const MAX_NESTING = 100;
const MAX_YAML_ERRORS = 20;
/** Expansions of aliases when building the value: stops "billion laughs" documents. */
const MAX_ALIAS_COUNT = 100;

/**
 * parseDocument, split in its two stages so nesting is checked before anything recursive runs:
 * the composer recurses once per level, and the parser does for block (indented) collections.
 * Block nesting is estimated from the indentation first, flow nesting ([ {) from the syntax tree;
 * a file of 100,000 `[` or of 1,000 ever-deeper keys gets a diagnostic, not a stack overflow.
 * Keys are checked for uniqueness afterwards, in linear time (findStructureProblems); logLevel
 * 'error' keeps the library off stderr.
 */
function parseOneDocument(text: string): { doc: Document; tooDeep?: number; lineCounter: LineCounter } {
  const options = { uniqueKeys: false, logLevel: 'error' as const };
  const lineCounter = new LineCounter();
  let tooDeep = findDeepIndentation(text);
  let tokens: CST.Token[] = [];
  if (tooDeep === undefined) {
    try {
      tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
      tooDeep = findTooDeep(tokens);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      tooDeep = 0; // deeper than the estimate saw; the start of the file is the best place we know
    }
  }
  if (tooDeep !== undefined) {
    const counter = new LineCounter();
    counter.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) counter.addNewLine(i + 1);
    return { doc: new Document(null, options), tooDeep, lineCounter: counter };
  }
  const composer = new Composer(options);
  let doc: Document | undefined;
  for (const next of composer.compose(tokens, true, text.length)) {
    if (!doc) {
      doc = next;
      continue;
    }
    doc.errors.push(
      new YAMLParseError(
        [next.range[0], next.range[1]],
        'MULTIPLE_DOCS',
        'the file holds more than one YAML document',
      ),
    );
    break;
  }
  return { doc: doc ?? new Document(null, options), lineCounter };
}

/**
 * Offset of the first line whose indentation puts it more than MAX_NESTING block levels deep, by
 * the rule YAML uses: a line indented more than the one before opens a level, and each leading
 * `- ` opens one more. Comment and blank lines do not count; block scalar text may overcount, but
 * not by a hundred levels in any real file.
 */
function findDeepIndentation(text: string): number | undefined {
  const indents: number[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const start = offset;
    offset += line.length + 1;
    const match = /^( *)((?:- +)*)(\S?)/.exec(line)!;
    if (match[3] === '' || match[3] === '#') continue;
    const indent = match[1]!.length;
    while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
    indents.push(indent);
    const dashes = match[2]!.length === 0 ? 0 : match[2]!.split('-').length - 1;
    if (indents.length + dashes > MAX_NESTING) return start + indent;
  }
  return undefined;
}

/** Offset of the first collection nested more than MAX_NESTING levels deep, if any. */
function findTooDeep(tokens: readonly CST.Token[]): number | undefined {
  const stack: Array<{ token: CST.Token; depth: number }> = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (depth > MAX_NESTING) return token.offset;
    const children: unknown[] =
      token.type === 'document'
        ? [token.value]
        : 'items' in token && Array.isArray(token.items)
          ? token.items.flatMap((item: { key?: unknown; value?: unknown }) => [item.key, item.value])
          : [];
    for (const child of children) {
      if (child && typeof child === 'object' && 'type' in child) {
        const nested = 'items' in child ? depth + 1 : depth;
        stack.push({ token: child as CST.Token, depth: nested });
      }
    }
  }
  return undefined;
}

function toValue(
  doc: Document,
  report: (severity: Diagnostic['severity'], offset: number, message: string, hint?: string) => void,
): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const firstAlias = findFirstAlias(doc);
    if (/alias count/i.test(message)) {
      report(
        'error',
        firstAlias ?? 0,
        `YAML: aliases expand to more than ${MAX_ALIAS_COUNT} copies`,
        'an experiment needs few aliases (*name); write the repeated values out',
      );
    } else {
      report('error', firstAlias ?? 0, `YAML: ${firstLine(message)}`);
    }
    return undefined;
  }
}

function findFirstAlias(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'each key may appear once in a map; remove or rename one of them';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation: nested keys need more spaces than their parent, and tabs are not allowed';
    case 'TAB_AS_INDENT':
      return 'YAML indentation must use spaces, not tabs';
    case 'MULTIPLE_DOCS':
      return 'an experiment file holds one document; remove the `---` line and what follows, or split the file';
    case 'BLOCK_AS_IMPLICIT_KEY':
      return 'a key is missing its ": " or a value needs quotes';
    default:
      return undefined;
  }
}

/** Walk as far down `path` as the document goes; point at the key when asked (for unknown keys). */
function offsetOf(
  doc: Document,
  path: readonly PathSegment[],
  wantKey: boolean,
  pairIndex: WeakMap<YAMLMap, Map<string, Pair>>,
): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const isLast = i === path.length - 1;
    if (isMap(node)) {
      const pair = pairsByKey(node, pairIndex).get(String(segment));
      if (!pair) return offset;
      if (isLast && wantKey) return rangeStart(pair.key) ?? offset;
      node = pair.value;
      offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) return offset;
      node = item;
      offset = rangeStart(node) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function pairsByKey(map: YAMLMap, index: WeakMap<YAMLMap, Map<string, Pair>>): Map<string, Pair> {
  let pairs = index.get(map);
  if (!pairs) {
    pairs = new Map();
    for (const item of map.items) {
      const key = isPair(item) ? keyText(item.key) : undefined;
      // The first pair with a key wins, as the old linear search did.
      if (key !== undefined && !pairs.has(key)) pairs.set(key, item as Pair);
    }
    index.set(map, pairs);
  }
  return pairs;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

export { formatPath };
