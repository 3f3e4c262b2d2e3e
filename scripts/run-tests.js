#!/usr/bin/env node
// Runs every test and ends with one plain line, "N passed, M failed", over all of them.
//
// 1. jest over every package (real sockets on 127.0.0.1), the reactor's C++ unit tests
//    (packages/native/test/native, built with the addon), then the benchmark harness's quick run
//    (`pnpm bench --quick` end to end: it checks the harness works, not the figures); core's, echo's
//    and http's suites and the C++ unit tests run a second time on the io_uring backend
//    (NEVIO_BACKEND=io_uring) where io_uring works;
// 2. the tests of the native code again against AddressSanitizer + UndefinedBehaviorSanitizer
//    builds of the addons, with LeakSanitizer on: core's and echo's over the reactor, http's over
//    its llhttp binding, and redis's scripting tests over its Lua addon (the rest of redis's
//    suite is TypeScript over the same reactor calls core's tests make; all of it in band under
//    the sanitizers ran past 33 minutes here and past the CI's 90-minute limit there). Any
//    sanitizer report fails the run. Node
//    itself is not instrumented, so the sanitizer runtime is preloaded. The C++ unit tests run
//    again too, built with the same sanitizers.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
let passed = 0;
let failed = 0;
let ok = true;

function runJest(label, args, env) {
  const out = path.join(os.tmpdir(), `nevio-jest-${label}-${process.pid}.json`);
  console.log(`\n=== ${label}: jest ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, [jest, ...args, '--json', `--outputFile=${out}`], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  process.stderr.write(result.stderr);
  let summary;
  try {
    summary = JSON.parse(fs.readFileSync(out, 'utf8'));
    fs.rmSync(out);
  } catch {
    summary = undefined;
  }
  if (summary === undefined) {
    console.log(`${label}: jest produced no results (exit ${result.status})`);
    failed++;
    ok = false;
    return result;
  }
  passed += summary.numPassedTests;
  failed += summary.numFailedTests + summary.numRuntimeErrorTestSuites;
  if (result.status !== 0 || !summary.success) ok = false;
  // The time each pass takes, against the CI's 90 minutes for everything.
  console.log(`${label}: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed (${Math.round((Date.now() - started) / 1000)} s)`);
  return result;
}

// The reactor's unit tests: a C++ program that prints "ok NAME" / "FAIL NAME: why" per test.
function runNativeUnits(label, variant, env) {
  const program = path.join(root, 'packages', 'native', variant, 'Release', 'nevio_native_test');
  console.log(`\n=== ${label}: ${path.relative(root, program)}`);
  const result = spawnSync(program, [], { env: { ...process.env, ...env }, encoding: 'utf8' });
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  const lines = (result.stdout ?? '').split('\n');
  const ran = lines.filter((l) => l.startsWith('ok ')).length;
  const broke = lines.filter((l) => l.startsWith('FAIL ')).length;
  passed += ran;
  failed += broke;
  const clean = !/ERROR: (Address|Leak)Sanitizer|runtime error:/.test(result.stderr ?? '');
  if (result.status !== 0 || ran === 0 || !clean) {
    ok = false;
    // A crash or a sanitizer report is a failure even when every test printed "ok".
    if (broke === 0) failed++;
  }
  console.log(`${label}: ${ran} passed, ${broke} failed${result.status !== 0 ? ` (exit ${result.status ?? result.signal})` : ''}`);
}

// Where io_uring cannot run (or the addon lacks liburing) its passes are skipped, saying why.
function uringUnavailable() {
  if (process.platform !== 'linux') return 'not Linux';
  try {
    return require(path.join(root, 'packages', 'native')).uringUnavailable();
  } catch (error) {
    return `the addon does not load: ${error.message.split('\n')[0]}`;
  }
}
const uringReason = uringUnavailable();
const uringProjects = ['core', 'echo', 'http'].flatMap((project) => ['--selectProjects', project]);

const onlyAsan = process.argv.includes('--asan-only');
if (!onlyAsan) {
  // The benchmark smoke run loads both cores for a minute; it runs alone, after the other suites.
  runJest('all', ['--ci', '--testPathIgnorePatterns', 'packages/bench/test/harness']);
  runNativeUnits('native-units', 'build', {});
  // The reactor's io_uring backend (docs/architecture.md): the suites over the reactor again on it.
  if (uringReason === '') {
    runJest('io_uring', ['--ci', ...uringProjects], { NEVIO_BACKEND: 'io_uring' });
    runNativeUnits('io_uring-native-units', 'build', { NEVIO_BACKEND: 'io_uring' });
  } else {
    console.log(`\n=== io_uring: not run here: ${uringReason}`);
  }
  runJest('bench-smoke', ['--ci', '--runInBand', 'packages/bench/test/harness']);
}

if (!process.argv.includes('--no-asan')) {
  // Every package with native code gets its sanitizer build, then its tests run against it.
  const sanitized = [
    { project: 'core', dir: path.join(root, 'packages', 'native') },
    { project: 'echo', dir: null },
    { project: 'http', dir: path.join(root, 'packages', 'http') },
    // The Lua scripting addon.
    { project: 'redis', dir: path.join(root, 'packages', 'redis') },
  ];
  // Which of the projects' test files run: all of core's, echo's and http's, redis's scripting ones.
  const sanitizedTests = 'packages/(core|echo|http)/|packages/redis/test/scripting/';
  let built = true;
  for (const { dir } of sanitized) {
    if (dir === null) continue;
    const build = spawnSync('npm', ['run', '--silent', 'build:asan'], { cwd: dir, stdio: ['ignore', 'inherit', 'ignore'] });
    if (build.status !== 0) {
      console.log(`asan: the sanitizer build of ${path.relative(root, dir)} failed`);
      built = false;
    }
  }
  if (!built) {
    failed++;
    ok = false;
  } else {
    const runtime = spawnSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).stdout.trim();
    const projects = sanitized.flatMap(({ project }) => ['--selectProjects', project]);
    const result = runJest('asan', ['--ci', '--runInBand', ...projects, '--testPathPatterns', sanitizedTests], {
      NEVIO_NATIVE_VARIANT: 'asan',
      LD_PRELOAD: runtime,
      // Three frames per allocation are enough to tell nevio's allocations from V8's, which the
      // suppressions file names (see the comment there).
      ASAN_OPTIONS: 'detect_leaks=1:malloc_context_size=3:exitcode=23',
      LSAN_OPTIONS: `suppressions=${path.join(root, 'packages', 'native', 'lsan.supp')}`,
      UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    });
    if (/ERROR: (Address|Leak)Sanitizer|runtime error:/.test(result.stderr ?? '')) {
      console.log('asan: the sanitizers reported a problem (see above)');
      failed++;
      ok = false;
    }
    runNativeUnits('asan-native-units', 'build-asan', {
      ASAN_OPTIONS: 'detect_leaks=1:exitcode=23',
      UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    });
    if (uringReason === '') {
      runNativeUnits('asan-io_uring-native-units', 'build-asan', {
        NEVIO_BACKEND: 'io_uring',
        ASAN_OPTIONS: 'detect_leaks=1:exitcode=23',
        UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
      });
    }
  }
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
