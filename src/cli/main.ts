import { execute, settings } from '@oclif/core';

// Entry point of the bundled CLI (dist/bundle/main.js, built by tools/bundle-cli.mjs; bin/run.js
// imports it). oclif finds package.json by walking up from here.
//
// The bundle is all the code there is: under NODE_ENV=development or test (vitest) oclif would
// otherwise load TypeScript (10 MB) to look for the sources of its commands.
settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url });
