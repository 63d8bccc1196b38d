/** Dependency graph helpers over task ids; pure functions on plain data. */
export interface GraphNode {
  id: string;
  needs: readonly string[];
}

/** Every cycle reachable in the graph, each as a path that returns to its start: [a, b, c, a]. */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const needsOf = new Map(nodes.map((n) => [n.id, n.needs]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seenCycles = new Set<string>();

  const visit = (id: string) => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of needsOf.get(id) ?? []) {
      if (!needsOf.has(next)) continue;
      if (state.get(next) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = [...cycle.slice(0, -1)].sort().join('\u0000');
        if (!seenCycles.has(key)) {
          seenCycles.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const node of nodes) if (!state.has(node.id)) visit(node.id);
  return cycles;
}

/**
 * Waves: tasks grouped by depth, each wave depending only on earlier ones. Tasks in one wave may run
 * together; the engine does better still (it starts a task as soon as its own dependencies are done).
 */
export function computeWaves(nodes: readonly GraphNode[]): string[][] {
  const depth = new Map<string, number>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depthOf = (id: string, trail: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (trail.has(id)) throw new Error(`cycle through ${id}`);
    trail.add(id);
    const node = byId.get(id);
    const value =
      node && node.needs.length > 0 ? 1 + Math.max(...node.needs.map((n) => depthOf(n, trail))) : 0;
    trail.delete(id);
    depth.set(id, value);
    return value;
  };
  const waves: string[][] = [];
  for (const node of nodes) {
    const d = depthOf(node.id, new Set());
    (waves[d] ??= []).push(node.id);
  }
  return waves;
}
