import { toConfiguredId, type Hook } from '@oclif/core';
import { createInterface } from 'node:readline/promises';
import { ExitCode } from '../exit-codes.js';
import { quoteShellWord } from '../util/quote-shell-word.js';
import { editDistance } from '../util/edit-distance.js';

/**
 * command_not_found hook: "did you mean" for a mistyped command, judged on the command word alone
 * (`canary rnu http.yaml` suggests run, not init). On a terminal it asks before running the
 * suggestion, showing the whole command line it would run (so a command that writes files never runs
 * unseen); no, or no terminal (CI, pipes): the suggestion, and the usage exit code, 2.
 */
const suggestCommand: Hook<'command_not_found'> = async function ({ id, argv, config }) {
  const command = typedCommand(id, (prefix) => config.findTopic(prefix) !== undefined);
  const rest = [...id.split(':').slice(command.split(':').length), ...(argv ?? [])];
  const ids = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const closest = command === 'help' ? undefined : findClosest(command, ids);
  const typed = toConfiguredId(command, config);
  const notACommand = `${config.bin}: "${typed}" is not a ${config.bin} command`;
  if (closest !== undefined && process.stdin.isTTY === true && process.stderr.isTTY === true) {
    const line = [config.bin, toConfiguredId(closest, config), ...rest.map(shellWord)].join(' ');
    if (await confirm(`${notACommand}. Run \`${line}\` instead? [y/N] `)) {
      return config.runCommand(closest, rest);
    }
    return this.exit(ExitCode.usage);
  }
  const suggestion =
    closest !== undefined
      ? `; did you mean "${toConfiguredId(closest, config)}"?`
      : command === 'help'
        ? `; did you mean "${config.bin} --help"?`
        : '';
  process.stderr.write(`${notACommand}${suggestion}\n`);
  if (command !== 'help') process.stderr.write(`  hint: ${config.bin} --help lists the commands\n`);
  return this.exit(ExitCode.usage);
};

/** A word as typed, quoted only when the shell would read it differently. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : quoteShellWord(word);
}

/** A yes/no question on the terminal; only y or yes is yes. */
async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

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
