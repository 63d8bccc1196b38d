#!/usr/bin/env node
// Writes schemas/*.json from the compiled code (run `npm run build` first; `npm run schemas` does both).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishedSchemas, serializeSchema } from '../dist/schemas/published-schemas.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const [name, schema] of Object.entries(publishedSchemas())) {
  const file = path.join(root, 'schemas', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, serializeSchema(schema));
  console.log(`wrote schemas/${name}`);
}
