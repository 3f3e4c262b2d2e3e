#!/usr/bin/env node
// Rewrites the generated command table of docs/redis.md from the built code (dist/): which of
// Redis 7.0's commands nevio supports, partly supports or lacks (src/command-table-doc.ts).
// `--check` only compares, and exits 1 when the table in docs/redis.md is stale.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { generateCommandTable, withCommandTable } = require('../dist/command-table-doc');

const doc = path.resolve(__dirname, '..', '..', '..', 'docs', 'redis.md');
const before = fs.readFileSync(doc, 'utf8');
const after = withCommandTable(before, generateCommandTable());
if (process.argv.includes('--check')) {
  if (after !== before) {
    console.error('docs/redis.md: the command table is stale; run node packages/redis/scripts/command-table.js');
    process.exit(1);
  }
} else if (after !== before) {
  fs.writeFileSync(doc, after);
  console.log('docs/redis.md: command table updated');
}
