#!/usr/bin/env node
// Builds the llhttp binding with @nevio/native's offline, incremental node-gyp runner.
//
//   node scripts/build-addon.js            release build
//   node scripts/build-addon.js --asan     sanitizer build (build-asan/)
//   node scripts/build-addon.js --install  the package's install hook: builds when llhttp's
//                                          sources are found, otherwise only says how to get them
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const install = process.argv.includes('--install');
const locate = spawnSync(process.execPath, [path.join(__dirname, 'llhttp-dir.js'), install ? '--warn' : '--check'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (locate.status !== 0) process.exit(locate.status ?? 1);
if (install && spawnSync(process.execPath, [path.join(__dirname, 'llhttp-dir.js'), '--include'], { stdio: 'ignore' }).status !== 0) {
  process.exit(0);
}
const gyp = require.resolve('@nevio/native/scripts/gyp.js');
const args = process.argv.includes('--asan') ? ['--asan'] : [];
const result = spawnSync(process.execPath, [gyp, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
