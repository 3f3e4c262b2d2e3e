#!/usr/bin/env node
// pnpm redis-compat [--tests DIR] [--port N] [--reference redis-server|table] [--out FILE] [UNIT...]
//
// Runs a Redis test tree (Redis's own Tcl suite, default ../shared/redis-tests next to the
// checkout) against nevio-redis, one unit at a time, each against a fresh server, strictly:
// every test but those tagged `slow`, no encoding/digest relaxation, the server started with
// --enable-debug-command yes (what Redis's external CI does). Then writes
// docs/redis-compatibility.md: per unit, nevio's passed/failed next to the reference's.
//
// The reference is redis-server run the same way (`--reference redis-server`, needs it on the
// PATH), or (`--reference table`, the default) the per-unit figures of redis-server in the
// README of the suite runner next to the tree (../shared/redis-suite/README.md), when present.
// Needs `tclsh` (Debian package tcl) and a build (`pnpm build`).
'use strict';
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** Seconds without test progress before a unit counts as stalled (runtest --timeout). */
const STALL_SECONDS = 60;
/** Wall-clock limit of one unit, in ms (the longest, unit/type/zset, takes about a minute). */
const UNIT_LIMIT_MS = 600_000;
/** Units of the tree that never run against an external server, or need a cluster. */
const EXCLUDED = /^unit\/tls$|^unit\/type\/list-common$|cluster/;

function usage(msg) {
  if (msg) console.error(`redis-compat: ${msg}`);
  console.error('usage: pnpm redis-compat [--tests DIR] [--port N] [--reference redis-server|table] [--out FILE] [UNIT...]');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { tests: path.resolve(ROOT, '..', 'shared', 'redis-tests'), port: 17377, reference: 'table', out: path.join(ROOT, 'docs', 'redis-compatibility.md'), units: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--tests') opts.tests = path.resolve(value());
    else if (a === '--port') opts.port = Number(value());
    else if (a === '--reference') opts.reference = value();
    else if (a === '--out') opts.out = path.resolve(value());
    else if (a === '--help' || a === '-h') usage();
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else opts.units.push(a.replace(/\.tcl$/, ''));
  }
  if (!Number.isInteger(opts.port) || opts.port <= 0 || opts.port > 65535 - 32) usage('--port must be a TCP port');
  if (opts.reference !== 'table' && opts.reference !== 'redis-server') usage('--reference is redis-server or table');
  if (!fs.existsSync(path.join(opts.tests, 'tests', 'test_helper.tcl'))) usage(`${opts.tests} is not a Redis test tree (no tests/test_helper.tcl)`);
  return opts;
}

function allUnits(tree) {
  const units = [];
  for (const dir of ['unit', 'unit/type']) {
    for (const f of fs.readdirSync(path.join(tree, 'tests', dir)).sort()) {
      if (f.endsWith('.tcl')) units.push(`${dir}/${f.slice(0, -4)}`);
    }
  }
  return units.filter((u) => !EXCLUDED.test(u));
}

function tclsh() {
  for (const name of ['tclsh8.6', 'tclsh8.7', 'tclsh']) {
    if (spawnSync('sh', ['-c', `command -v ${name}`]).status === 0) return name;
  }
  usage('tclsh not found (apt-get install tcl)');
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves true once a PING on `port` gets +PONG (within `ms`). */
async function waitForPong(port, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.setTimeout(1000, () => s.destroy());
      s.on('connect', () => s.write('PING\r\n'));
      s.on('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
      s.on('error', () => resolve(false));
      s.on('close', () => resolve(false));
    });
    if (ok) return true;
    await sleep(100);
  }
  return false;
}

/** The command line of the server under test, listening on `port` with its files in `dir`. */
function serverCommand(which, port, dir) {
  if (which === 'nevio') {
    return [process.execPath, [path.join(ROOT, 'packages', 'redis', 'dist', 'cli.js'), '--port', String(port), '--enable-debug-command', 'yes', '--dir', dir]];
  }
  return ['redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes', '--enable-protected-configs', 'yes', '--dir', dir]];
}

/** Counts a runtest log: [ok] passed; [err], [exception] and a stall failed. */
function count(log) {
  let passed = 0;
  let failed = 0;
  for (const line of log.split('\n')) {
    if (/^\[ok\]:/.test(line)) passed++;
    else if (/^\[err\]:/.test(line) || /^\[exception\]:/.test(line)) failed++;
  }
  if (/\[TIMEOUT\]|Killing test unit/.test(log)) failed++;
  return { passed, failed };
}

/** Runs one unit against a fresh server (`which`); resolves with its counts. */
async function runUnit(opts, tree, unit, which) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `redis-compat-${which}-`));
  const [cmd, args] = serverCommand(which, opts.port, dir);
  const server = spawn(cmd, args, { stdio: 'ignore' });
  let died = false;
  server.on('exit', () => (died = true));
  try {
    if (!(await waitForPong(opts.port, 15000))) return { passed: 0, failed: 1, note: 'server did not start' };
    const runtest = spawnSync(
      tclsh(),
      ['tests/test_helper.tcl', '--single', unit, '--host', '127.0.0.1', '--port', String(opts.port), '--baseport', String(opts.port + 1), '--timeout', String(STALL_SECONDS), '--tags', '-slow', '--durable'],
      { cwd: tree, encoding: 'utf8', timeout: UNIT_LIMIT_MS, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, TERM: 'dumb' } },
    );
    const result = count(`${runtest.stdout ?? ''}\n${runtest.stderr ?? ''}`);
    const note = died ? 'server died' : runtest.error !== undefined ? 'unit timed out' : '';
    return { ...result, note };
  } finally {
    server.kill('SIGKILL');
    await new Promise((r) => (server.exitCode !== null || server.signalCode !== null ? r() : server.once('exit', r)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** redis-server's per-unit passed counts from the suite runner's README table, when there. */
function referenceTable(tree) {
  const readme = path.join(tree, '..', 'redis-suite', 'README.md');
  const table = new Map();
  if (!fs.existsSync(readme)) return table;
  for (const m of fs.readFileSync(readme, 'utf8').matchAll(/\|\s*(unit\/[\w/-]+)\s*\|\s*(\d+)\s*/g)) table.set(m[1], Number(m[2]));
  return table;
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function render(opts, rows, referenceName) {
  const total = rows.reduce((t, r) => ({ passed: t.passed + r.nevio.passed, failed: t.failed + r.nevio.failed, ref: t.ref + (r.ref?.passed ?? 0) }), { passed: 0, failed: 0, ref: 0 });
  const lines = [
    '# Redis compatibility',
    '',
    `Redis's own test suite (the tree in \`${path.relative(ROOT, opts.tests) || '.'}\`) run against nevio-redis by`,
    '`pnpm redis-compat` (`scripts/redis-compat.js`): one unit at a time, each against a fresh server',
    'started with `--enable-debug-command yes`, strictly (every test but those tagged `slow`, no',
    'encoding or digest relaxation). A test counts as failed when it reports `[err]` or `[exception]`,',
    'or when its unit stalls. Units that need a server the suite starts itself skip their tests on every server.',
    '',
    `Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Commit: ${gitCommit()}. Reference: ${referenceName}.`,
    '',
    '| unit | nevio passed | nevio failed | redis-server passed | note |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) lines.push(`| ${r.unit} | ${r.nevio.passed} | ${r.nevio.failed} | ${r.ref === null ? '' : r.ref.passed} | ${r.nevio.note} |`);
  lines.push(`| **all** | **${total.passed}** | **${total.failed}** | **${total.ref}** | |`, '');
  return lines.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(ROOT, 'packages', 'redis', 'dist', 'cli.js'))) usage('build first (pnpm build)');
  // The suite writes into its tree (tests/tmp): it runs from a private copy.
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-compat-tree-'));
  fs.cpSync(path.join(opts.tests, 'runtest'), path.join(tree, 'runtest'));
  fs.cpSync(path.join(opts.tests, 'tests'), path.join(tree, 'tests'), { recursive: true });
  const units = opts.units.length > 0 ? opts.units : allUnits(opts.tests);
  const table = opts.reference === 'table' ? referenceTable(opts.tests) : null;
  const rows = [];
  try {
    for (const unit of units) {
      const nevio = await runUnit(opts, tree, unit, 'nevio');
      let ref = null;
      if (table === null) ref = await runUnit(opts, tree, unit, 'redis-server');
      else if (table.has(unit)) ref = { passed: table.get(unit), failed: 0, note: '' };
      rows.push({ unit, nevio, ref });
      console.log(`${unit}: nevio ${nevio.passed} passed, ${nevio.failed} failed${ref === null ? '' : `; redis-server ${ref.passed}`}${nevio.note ? ` [${nevio.note}]` : ''}`);
    }
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
  }
  const referenceName = table === null ? 'redis-server on the PATH, run the same way' : 'the per-unit figures of redis-server 7.0.15 in ../shared/redis-suite/README.md';
  fs.writeFileSync(opts.out, render(opts, rows, referenceName));
  console.log(`wrote ${path.relative(process.cwd(), opts.out)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
