import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  visit,
  type Document,
  type Node,
  type YAMLMap,
} from 'yaml';

/** A problem in a parsed document's structure, at a source offset. */
export interface StructureProblem {
  offset: number;
  message: string;
  hint: string;
}

/**
 * What the YAML parser accepts but an experiment cannot use, found in one pass over the document:
 * duplicate keys (the parser's own check is quadratic: a file of 50,000 keys would take minutes),
 * keys that are lists or maps, aliases with no anchor before them, and aliases inside the node
 * they name, which would make the data infinitely deep.
 */
export function findStructureProblems(doc: Document): StructureProblem[] {
  const problems: StructureProblem[] = [];
  const anchors = new Map<string, Node>();
  visit(doc, (_key, node, path) => {
    if (node === null || typeof node !== 'object') return; // an empty document or value
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) {
        problems.push({
          offset: start(node) ?? 0,
          message: `YAML: alias *${node.source} has no anchor &${node.source} before it`,
          hint: `define &${node.source} on a value earlier in the file, or write the value out`,
        });
      } else if (path.includes(target as never)) {
        problems.push({
          offset: start(node) ?? 0,
          message: `YAML: alias *${node.source} is inside the value it names, which would repeat forever`,
          hint: 'an alias may only copy a value that does not contain it',
        });
      }
      return;
    }
    if (isPair(node)) return;
    const anchor = (node as Node).anchor;
    if (anchor) anchors.set(anchor, node as Node);
    if (isMap(node)) problems.push(...checkKeys(node));
  });
  return problems;
}

function checkKeys(map: YAMLMap): StructureProblem[] {
  const problems: StructureProblem[] = [];
  const seen = new Set<unknown>();
  for (const pair of map.items) {
    const key = pair.key as Node | null;
    if (isCollection(key)) {
      problems.push({
        offset: start(key) ?? 0,
        message: 'YAML: a map key must be a name, not a list or a map',
        hint: 'write the key as a plain or quoted string, e.g. "my-key": value',
      });
      continue;
    }
    // Equal scalars are duplicates, as for the parser: `a` and "a", not 1 and "1".
    const identity = isScalar(key) ? key.value : key;
    if (key !== null && seen.has(identity)) {
      problems.push({
        offset: start(key) ?? 0,
        message: `YAML: duplicate key ${describeKey(identity)}`,
        hint: 'each key may appear once in a map; remove or rename one of them',
      });
    }
    seen.add(identity);
  }
  return problems;
}

function start(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}

function describeKey(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
