import { vi } from 'vitest';
import { packageRoot } from '../../src/version.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command class in-process as the binary would (against `kubeconfig`), capturing its output
 * and exit code.
 */
export async function runCommand(
  command: { run(argv: string[], root: string): Promise<unknown> },
  argv: string[],
  kubeconfig: string,
): Promise<CommandResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const spies = [
    vi
      .spyOn(console, 'log')
      .mockImplementation((...args: unknown[]) => void stdout.push(`${args.join(' ')}\n`)),
    vi
      .spyOn(console, 'error')
      .mockImplementation((...args: unknown[]) => void stderr.push(`${args.join(' ')}\n`)),
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    }),
  ];
  let code = 0;
  try {
    await command.run([...argv, '--kubeconfig', kubeconfig], packageRoot);
  } catch (error) {
    const exit = (error as { oclif?: { exit?: number } }).oclif?.exit;
    if (exit === undefined) throw error;
    code = exit;
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}
