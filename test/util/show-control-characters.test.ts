import { describe, expect, it } from 'vitest';
import { hasControlCharacters, showControlCharacters } from '../../src/util/show-control-characters.js';
import { describeEvent } from '../../src/cli/console-observer.js';
import { renderFrame } from '../../src/cli/live-frame.js';
import { applyEvent, initialLiveState } from '../../src/cli/live-state.js';
import type { RunEvent } from '../../src/engine/events.js';
import { renderLoopListing } from '../../src/results/list-loops.js';

/** ESC and BEL: what retitles, clears or rings a terminal. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const terminalControls = /[\x07\x1b]/g;

describe('showControlCharacters', () => {
  it('shows C0, DEL, C1, line separators and bidi overrides as escapes; leaves other text alone', () => {
    expect(showControlCharacters('a\x1b]0;t\x07b\x7f\x9b\u2028\u202e\n\té😀')).toBe(
      'a\\x1b]0;t\\x07b\\x7f\\x9b\\u2028\\u202e\\x0a\\x09é😀',
    );
    expect(showControlCharacters('line\nnext\tcol\x1b', '\n\t')).toBe('line\nnext\tcol\\x1b');
    expect(hasControlCharacters('plain name-1')).toBe(false);
    expect(hasControlCharacters('bell\x07')).toBe(true);
  });
});

const hostile = 'bad \x1b]0;pwned\x07\x1b[2J';
const events: RunEvent[] = [
  {
    type: 'experiment-start',
    plan: {
      experiment: { name: 'e' },
      versions: ['v'],
      concurrency: 1,
      tasks: [{ id: 'metrics', task: 'custommetrics', with: {}, needs: [], retries: 0 }],
      waves: [['metrics']],
    },
    firstLoop: 1,
  },
  { type: 'loop-start', loop: 1, at: new Date(0) },
  { type: 'task-log', loop: 1, id: 'metrics', message: `${hostile}\nsecond line` },
  {
    type: 'task-end',
    loop: 1,
    outcome: { id: 'metrics', task: 'custommetrics', status: 'error', durationMs: 5, message: hostile },
  },
];

describe('progress lines and the live view show control characters from outside canary', () => {
  it('plain progress lines keep line breaks but no ESC or BEL', () => {
    const lines = events.map(describeEvent).filter((l) => l !== undefined);
    expect(lines.join('\n')).not.toMatch(terminalControls);
    expect(lines).toContain('  metrics: bad \\x1b]0;pwned\\x07\\x1b[2J\nsecond line');
  });

  it('live frames carry only their own colour codes', () => {
    const state = events.reduce(applyEvent, initialLiveState());
    const frame = renderFrame(state, { now: 10 }).join('\n');
    expect(frame).not.toMatch(terminalControls);
    expect(frame).toContain('bad \\x1b]0;pwned\\x07\\x1b[2J');
  });
});

describe('results list shows control characters in reasons and pin names', () => {
  it('as escapes, keeping its own line breaks', () => {
    const text = renderLoopListing({
      file: 'r.jsonl',
      loops: [
        {
          loop: 1,
          start: '2030-01-01T00:00:00.000Z',
          status: 'completed',
          versions: ['v'],
          slos: { pass: 1, fail: 0, other: 0 },
          pins: ['gold\x1b[2J'],
          invalid: `node ${hostile}`,
        },
      ],
      compactedInvalid: [],
    });
    expect(text).not.toMatch(terminalControls);
    expect(text).toContain('pinned: gold\\x1b[2J; INVALID: node bad \\x1b]0;pwned\\x07\\x1b[2J');
  });
});
