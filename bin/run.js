#!/usr/bin/env node
// The CLI is bundled into dist/bundle/ by `npm run build` (tools/bundle-cli.mjs): one file to load
// instead of hundreds of modules is most of canary's start-up time. Its source maps (published,
// without the sources' text) make a stack trace name src/...ts:line:column, for bug reports.
process.setSourceMapsEnabled(true);
await import('../dist/bundle/main.js');
