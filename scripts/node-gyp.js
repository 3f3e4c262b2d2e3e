#!/usr/bin/env node
// Builds the addon in the current package with node-gyp, offline.
//
// node-gyp downloads Node's headers unless told where they are; this machine (and CI) has no
// route to nodejs.org, but a Node installed from a distribution package or tarball ships them in
// <prefix>/include/node. We point node-gyp there when they exist.
//
//   node ../../scripts/node-gyp.js            release build into build/
//   node ../../scripts/node-gyp.js --asan     AddressSanitizer + LeakSanitizer build into build-asan/
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const asan = process.argv.includes('--asan');
const prefix = path.resolve(path.dirname(process.execPath), '..');
const args = [require.resolve('node-gyp/bin/node-gyp.js', { paths: [process.cwd(), __dirname] }), 'rebuild'];
if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
args.push('-j', 'max', '--loglevel=warn');
if (asan) args.push('--', '-Dnevio_sanitize=true');

// node-gyp always writes to build/; the sanitizer variant is moved to build-asan/ so that both
// variants coexist, and a release build already in build/ is put back afterwards.
const started = Date.now();
if (asan && fs.existsSync('build')) fs.renameSync('build', 'build-release.tmp');
const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
if (asan) {
  fs.rmSync('build-asan', { recursive: true, force: true });
  if (fs.existsSync('build')) fs.renameSync('build', 'build-asan');
  if (fs.existsSync('build-release.tmp')) fs.renameSync('build-release.tmp', 'build');
}
if (result.status !== 0) {
  process.stdout.write(result.stdout);
  process.exit(result.status ?? 1);
}
console.log(`built ${path.basename(process.cwd())}${asan ? ' (asan)' : ''} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
