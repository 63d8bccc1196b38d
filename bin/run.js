#!/usr/bin/env node
// The CLI is bundled into dist/bundle/ by `npm run build` (tools/bundle-cli.mjs): one file to load
// instead of hundreds of modules is most of canary's start-up time.
await import('../dist/bundle/main.js');
