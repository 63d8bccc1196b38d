import { toConfiguredId, type Hook } from '@oclif/core';
import { ExitCode } from '../exit-codes.js';
import { editDistance } from '../util/edit-distance.js';

/**
 * init hook: "did you mean" for a mistyped command when nobody can answer a prompt. On a TTY the
 * not-found plugin asks "Did you mean run?" and runs it; without one (CI, pipes) it would only say
 * the command does not exist, and exit 127. Here: the suggestion, and the usage exit code, 2.
 */
const suggestCommand: Hook<'init'> = async function ({ id, config }) {
  if (id === undefined || id.startsWith('-') || process.stdin.isTTY === true) return;
  if (config.findCommand(id) || config.findTopic(id)) return;
  const command = typedCommand(id, (prefix) => config.findTopic(prefix) !== undefined);
  const ids = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const closest = command === 'help' ? undefined : findClosest(command, ids);
  const typed = toConfiguredId(command, config);
  const suggestion =
    closest !== undefined
      ? `; did you mean "${toConfiguredId(closest, config)}"?`
      : command === 'help'
        ? `; did you mean "${config.bin} --help"?`
        : '';
  process.stderr.write(`${config.bin}: "${typed}" is not a ${config.bin} command${suggestion}\n`);
  if (command !== 'help') process.stderr.write(`  hint: ${config.bin} --help lists the commands\n`);
  this.exit(ExitCode.usage);
};

export default suggestCommand;

/**
 * The command part of an id: oclif joins every word of `canary valdate x.yaml` into `valdate:x.yaml`
 * when no command matches; the command is the topics, then one more word.
 */
export function typedCommand(id: string, isTopic: (prefix: string) => boolean): string {
  const words = id.split(':');
  let end = 1;
  while (end < words.length && isTopic(words.slice(0, end).join(':'))) end++;
  return words.slice(0, end).join(':');
}

/** The nearest id by edit distance, unless even that one is too far to be a typo. */
export function findClosest(typed: string, ids: readonly string[]): string | undefined {
  let best: { id: string; distance: number } | undefined;
  for (const id of ids) {
    const distance = editDistance(typed, id);
    if (!best || distance < best.distance) best = { id, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(typed.length / 2)) ? best.id : undefined;
}
