import { execute } from '@oclif/core';

// Entry point of the bundled CLI (dist/bundle/main.js, built by tools/bundle-cli.mjs; bin/run.js
// imports it). oclif finds package.json by walking up from here.
await execute({ dir: import.meta.url });
