#!/usr/bin/env node
// The CLI is bundled into dist/bundle/ by `npm run build` (tools/bundle-cli.mjs): one file to load
// instead of hundreds of modules is most of canary's start-up time. Its source maps (published,
// without the sources' text) make a stack trace name src/...ts:line:column, for bug reports.
import module from 'node:module';

process.setSourceMapsEnabled(true);
// Node 22.1+ keeps V8's compiled code on disk between runs (NODE_DISABLE_COMPILE_CACHE=1 turns it
// off); Node 20 has no such function, and runs as before.
module.enableCompileCache?.();
await import('../dist/bundle/main.js');
