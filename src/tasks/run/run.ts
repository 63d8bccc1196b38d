import { spawn } from 'node:child_process';
import { Type, type Static } from '@sinclair/typebox';
import { defineTask } from '../task-definition.js';
import { TaskError } from '../../errors.js';

export const RunInputSchema = Type.Object(
  {
    script: Type.String({
      minLength: 1,
      description: 'Shell script, run with /bin/sh -c in the experiment directory',
    }),
    env: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
        additionalProperties: false,
      }),
    ),
  },
  { additionalProperties: false },
);

export type RunInput = Static<typeof RunInputSchema>;

/** Keep the end of the output: that is where errors are. */
const outputLimit = 16 * 1024;

export const runTask = defineTask({
  name: 'run',
  description: 'Run a shell script; a non-zero exit fails the task and the loop',
  inputSchema: RunInputSchema,
  async run(input, context) {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env.HOME ?? context.workDir,
      CANARY_LOOP: String(context.loop),
      CANARY_EXPERIMENT: context.experiment.name,
      CANARY_WORKDIR: context.workDir,
      CANARY_VERSIONS: context.versions.join(','),
      ...input.env,
    };
    const { code, signal, output } = await runShell(input.script, context.experimentDir, env, context.signal);
    if (context.signal.aborted) throw new TaskError('interrupted', 'error');
    if (signal) throw new TaskError(`script was killed by ${signal}`, 'failure');
    if (code !== 0) {
      const lastLine = output.trimEnd().split('\n').at(-1) ?? '';
      throw new TaskError(`script exited with code ${code}${lastLine ? `: ${lastLine}` : ''}`, 'failure');
    }
    return { output };
  },
});

/** Process groups of running scripts: stopped too when canary exits while they run (a second Ctrl-C). */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function stopGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

function runShell(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    // A process group of its own, so that an abort (timeout, Ctrl-C) stops everything the script
    // started: killing only the shell would leave its children running and holding the output pipes.
    const child = spawn('/bin/sh', ['-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const pid = child.pid;
    const stop = () => {
      if (pid !== undefined) stopGroup(pid);
    };
    const settle = () => {
      signal.removeEventListener('abort', stop);
      if (pid !== undefined) liveGroups.delete(pid);
    };
    if (pid !== undefined) {
      liveGroups.add(pid);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on('exit', () => liveGroups.forEach(stopGroup));
      }
    }
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    let output = '';
    const append = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > 2 * outputLimit) output = output.slice(-outputLimit);
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    child.on('error', (error) => {
      settle();
      reject(new TaskError(`could not start /bin/sh: ${error.message}`, 'error', { cause: error }));
    });
    child.on('close', (code, killedBy) => {
      settle();
      resolve({ code, signal: killedBy, output: output.slice(-outputLimit) });
    });
  });
}
