import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { formatPath, type Diagnostic, type PathSegment } from './diagnostics.js';

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
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const toPosition = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const diagnostics: Diagnostic[] = [];
  for (const problem of [...doc.errors, ...doc.warnings]) {
    const offset = problem.pos[0];
    diagnostics.push({
      severity: doc.errors.includes(problem as never) ? 'error' : 'warning',
      file,
      ...toPosition(offset),
      path: '',
      message: `YAML: ${firstLine(problem.message)}`,
      hint: yamlHint(problem.code),
    });
  }
  const value = doc.errors.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 });
  return {
    file,
    text,
    value,
    diagnostics,
    positionOf(path, options = {}) {
      const offset = offsetOf(doc, path, options.key ?? false);
      return offset === undefined ? { line: 1, column: 1 } : toPosition(offset);
    },
  };
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
    case 'BLOCK_AS_IMPLICIT_KEY':
      return 'a key is missing its ": " or a value needs quotes';
    default:
      return undefined;
  }
}

/** Walk as far down `path` as the document goes; point at the key when asked (for unknown keys). */
function offsetOf(doc: Document, path: readonly PathSegment[], wantKey: boolean): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const isLast = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
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

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

export { formatPath };
