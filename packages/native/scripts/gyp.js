#!/usr/bin/env node
// Builds the addon of the package in the current directory with node-gyp, offline.
//
// node-gyp downloads Node's headers unless told where they are; machines without a route to
// nodejs.org (this project's CI) still have them when Node came from a distribution package or
// an official tarball: <prefix>/include/node. We point node-gyp there when they exist.
//
// Incremental: when build/ is configured and binding.gyp has not changed since, only `make` runs,
// so the package's install hook (the build a user of the published package needs) and the
// workspace's turbo build task do not compile twice.
//
//   node gyp.js            release build into build/
//   node gyp.js --asan     AddressSanitizer + UBSan build into build-asan/ (release build kept)
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** Whether `name` is an executable in a directory of PATH. */
function onPath(name) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

// node-gyp's own message for a missing compiler is a page of gyp output ending in
// "not found: make" or a bare ENOENT; say what is missing and how to get it instead.
const compiler = process.env.CXX ?? ['c++', 'g++', 'clang++'].find(onPath);
const missing = [
  ...(compiler === undefined ? ['a C++17 compiler (g++ or clang++)'] : []),
  ...(onPath('make') || onPath('gmake') ? [] : ['make']),
  ...(onPath('python3') || process.env.PYTHON !== undefined ? [] : ['python3 (node-gyp runs on it)']),
];
if (missing.length > 0) {
  console.error(
    `@nevio/${path.basename(process.cwd())}: cannot build the native addon: missing ${missing.join(', ')}.\n` +
      'Install them (Debian/Ubuntu: apt-get install g++ make python3; macOS: xcode-select --install), then install again.',
  );
  process.exit(1);
}

const asan = process.argv.includes('--asan');
const prefix = path.resolve(path.dirname(process.execPath), '..');
const gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [process.cwd(), __dirname] });
const configured = fs.existsSync('build/Makefile') && fs.statSync('build/Makefile').mtimeMs >= fs.statSync('binding.gyp').mtimeMs;
const args = [gyp, !asan && configured ? 'build' : 'rebuild', '-j', 'max', '--loglevel=warn'];
if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
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
