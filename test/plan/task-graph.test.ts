import { describe, expect, it } from 'vitest';
import { computeWaves, findCycles, type GraphNode } from '../../src/plan/task-graph.js';

const node = (id: string, ...needs: string[]): GraphNode => ({ id, needs });

describe('computeWaves', () => {
  it('groups a diamond into three waves', () => {
    expect(computeWaves([node('a'), node('b', 'a'), node('c', 'a'), node('d', 'b', 'c')])).toEqual([
      ['a'],
      ['b', 'c'],
      ['d'],
    ]);
  });

  it('puts a task at the depth of its deepest need, whatever the listing order', () => {
    expect(computeWaves([node('d', 'b', 'c'), node('c', 'a'), node('b', 'c'), node('a'), node('x')])).toEqual(
      [['a', 'x'], ['c'], ['b'], ['d']],
    );
  });

  it('gives a sequential chain one task per wave', () => {
    expect(computeWaves([node('a'), node('b', 'a'), node('c', 'b')])).toEqual([['a'], ['b'], ['c']]);
  });

  it('returns no waves for no tasks', () => {
    expect(computeWaves([])).toEqual([]);
  });

  it('throws on a cycle instead of recursing forever', () => {
    expect(() => computeWaves([node('a', 'b'), node('b', 'a')])).toThrow(/cycle through/);
  });
});

describe('findCycles', () => {
  it('finds none in a DAG', () => {
    expect(findCycles([node('a'), node('b', 'a'), node('c', 'a'), node('d', 'b', 'c')])).toEqual([]);
  });

  it('returns a cycle as a path back to its start', () => {
    expect(findCycles([node('a', 'b'), node('b', 'c'), node('c', 'a')])).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('reports each cycle once, even when reachable from several tasks', () => {
    const cycles = findCycles([
      node('x', 'a'),
      node('a', 'b'),
      node('b', 'c'),
      node('c', 'a'),
      node('y', 'b'),
    ]);
    expect(cycles).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('finds a self-loop', () => {
    expect(findCycles([node('a'), node('b', 'b')])).toEqual([['b', 'b']]);
  });

  it('finds separate cycles separately', () => {
    const cycles = findCycles([
      node('a', 'b'),
      node('b', 'a'),
      node('c', 'd'),
      node('d', 'c'),
      node('e', 'e'),
    ]);
    expect(cycles).toEqual([
      ['a', 'b', 'a'],
      ['c', 'd', 'c'],
      ['e', 'e'],
    ]);
  });

  it('ignores needs on unknown ids (reported elsewhere)', () => {
    expect(findCycles([node('a', 'ghost')])).toEqual([]);
  });
});
