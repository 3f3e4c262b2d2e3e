#!/usr/bin/env node
// Builds the Lua scripting addon with @nevio/native's offline, incremental node-gyp runner.
//
//   node scripts/build-addon.js          release build (build/)
//   node scripts/build-addon.js --asan   AddressSanitizer + UBSan build (build-asan/)
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const check = spawnSync(process.execPath, [path.join(__dirname, 'lua-dir.js'), '--check'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (check.status !== 0) process.exit(check.status ?? 1);
const gyp = require.resolve('@nevio/native/scripts/gyp.js');
const args = process.argv.includes('--asan') ? ['--asan'] : [];
const result = spawnSync(process.execPath, [gyp, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
