/** Process exit codes: a stable contract for CI pipelines (README, `--help`, and a test per code). */
export const ExitCode = {
  ok: 0,
  assertionFailed: 1,
  usage: 2,
  invalidExperiment: 3,
  executionError: 4,
  inconclusive: 5,
  busy: 6,
  badResults: 7,
  interrupted: 130,
  terminated: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeTable: ReadonlyArray<readonly [number, string]> = [
  [ExitCode.ok, 'every asserted condition holds'],
  [
    ExitCode.assertionFailed,
    'an assertion failed: an SLO was violated, a loop did not complete, or a task failed',
  ],
  [ExitCode.usage, 'command-line usage error (unknown flag, bad --set syntax, missing argument)'],
  [ExitCode.invalidExperiment, 'invalid experiment: YAML, schema or rule errors (printed as file:line:col)'],
  [
    ExitCode.executionError,
    'execution error: a task could not run (unreachable service, timeout, bad plugin)',
  ],
  [
    ExitCode.inconclusive,
    'inconclusive: no SLO was violated, but some had no data, too few samples or no decision',
  ],
  [
    ExitCode.busy,
    'busy: another canary run is writing the same result file (its pid is printed; wait or stop it)',
  ],
  [
    ExitCode.badResults,
    'unusable result file: damaged line (printed as file:line), newer format, or not a readable file',
  ],
  [ExitCode.interrupted, 'interrupted by SIGINT (Ctrl-C); the current loop was recorded as interrupted'],
  [ExitCode.terminated, 'terminated by SIGTERM; the current loop was recorded as interrupted'],
];

export function formatExitCodeTable(): string {
  return exitCodeTable.map(([code, meaning]) => `  ${String(code).padEnd(4)} ${meaning}`).join('\n');
}
