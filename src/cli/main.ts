import { execute, settings } from '@oclif/core';

// Entry point of the bundled CLI (dist/bundle/main.js, built by tools/bundle-cli.mjs; bin/run.js
// imports it). oclif finds package.json by walking up from here.
//
// The bundle is all the code there is: under NODE_ENV=development or test (vitest) oclif would
// otherwise load TypeScript (10 MB) to look for the sources of its commands.
settings.enableAutoTranspile = false;

// oclif ends a command with process.exit(code). Output still queued for a pipe (a CI log, `| tail`)
// would be cut off there, losing the last lines, such as validate's summary. So exit once stdout
// and stderr have taken everything written before (or after 2 s, if a reader stopped reading).
const exitNow = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  if (code !== undefined && code !== null) process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) exitNow();
  };
  setTimeout(() => exitNow(), 2000);
  process.stdout.write('', done);
  process.stderr.write('', done);
}) as typeof process.exit;

await execute({ dir: import.meta.url });
