#!/usr/bin/env node
// Compiles the load generator, the idle-connection client and the C baseline servers from native/ into build/.
//
// Each program is rebuilt only when one of its sources (or this script) is newer than the
// binary, so running the package build again costs a few stat() calls.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'native');
const out = path.join(root, 'build');
const CFLAGS = ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror'];
const programs = {
  loadgen: ['loadgen.c', 'loadgen_io.c', 'loadgen_replies.c', 'loadgen_tls.c', 'loadgen_ws.c', 'resp_types.c', 'common.c'],
  idleconns: ['idleconns.c', 'common.c'],
  echo_server: ['echo_server.c', 'server.c', 'common.c'],
  http_server: ['http_server.c', 'server.c', 'common.c'],
};
// The load generator's TLS is the system's OpenSSL (Debian's libssl-dev, from scripts/setup.sh):
// a standalone program cannot use the copy inside the node binary.
const libs = { loadgen: ['-lssl', '-lcrypto'] };
const headers = ['common.h', 'server.h', 'resp_types.h', 'loadgen.h'];

if (process.platform !== 'linux') {
  // The programs are epoll-based; on other systems the runner reports them as unavailable.
  console.log('bench: native tools need Linux (epoll); skipped');
  process.exit(0);
}

const cc = process.env.CC || 'cc';
const mtime = (f) => fs.statSync(f).mtimeMs;
fs.mkdirSync(out, { recursive: true });
const started = Date.now();
const built = [];
for (const [name, files] of Object.entries(programs)) {
  const target = path.join(out, name);
  const inputs = [...files, ...headers].map((f) => path.join(src, f)).concat(__filename);
  if (fs.existsSync(target) && inputs.every((f) => mtime(f) <= mtime(target))) continue;
  // Build beside the target and rename, so a failed or interrupted compile never leaves a
  // half-written binary that a later run would take as current.
  const tmp = `${target}.tmp${process.pid}`;
  const r = spawnSync(cc, [...CFLAGS, '-o', tmp, ...files.map((f) => path.join(src, f)), ...(libs[name] ?? [])], { stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    console.error(`bench: compiling ${name} failed${r.error ? `: ${r.error.message}` : ''}`);
    process.exit(1);
  }
  fs.renameSync(tmp, target);
  built.push(name);
}
console.log(
  built.length
    ? `bench: built ${built.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)}s`
    : 'bench: native tools up to date',
);
