#!/usr/bin/env node
// Regenerate the TLA+ exports in spec/ from the table in src/cli/specs.ts (SPEC_ROWS).
//   npx tsc -p . && node scripts/gen-spec.js          write spec/*.tla and spec/*.cfg
//   npx tsc -p . && node scripts/gen-spec.js --check  exit 1 when a file in spec/ is stale
// Plain JavaScript over the compiled dist/, because tsconfig.json compiles src/ and test/ only.
'use strict';
const path = require('node:path');
const root = path.resolve(__dirname, '..');
let specs;
try {
  specs = require(path.join(root, 'dist/src/cli/specs.js'));
} catch (e) {
  process.stderr.write(`gen-spec: build first (npx tsc -p .): ${e.message.split('\n')[0]}\n`);
  process.exit(2);
}
const dir = path.join(root, 'spec');
if (process.argv.includes('--check')) {
  const stale = specs.staleSpecs(dir);
  if (stale.length) {
    process.stderr.write(`gen-spec: stale in spec/: ${stale.join(', ')} (run node scripts/gen-spec.js)\n`);
    process.exit(1);
  }
  process.stdout.write(`gen-spec: spec/ is up to date (${specs.SPEC_ROWS.length} models)\n`);
} else {
  for (const name of specs.writeSpecs(dir)) process.stdout.write(`wrote spec/${name}\n`);
}
