// The packages as a user installs them: each one packed with `pnpm pack` (workspace:* becomes the
// version), the tarballs installed with npm into a fresh project outside the workspace (the
// addons build in their install hooks; third-party dependencies such as node-addon-api come from
// the npm cache or registry), then the README's example and `nevio-redis` run from there.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PACKAGES = ['native', 'core', 'echo', 'http', 'redis'];
const PNPM = ['-y', 'pnpm@10.34.9'];

let dir: string;
let app: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nevio-packages-'));
  const tarballs = join(dir, 'tarballs');
  app = join(dir, 'app');
  mkdirSync(app);
  const files: Record<string, string> = {};
  for (const name of PACKAGES) {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8')) as { name: string; version: string };
    execFileSync('npx', [...PNPM, 'pack', '--pack-destination', tarballs], { cwd: join(ROOT, 'packages', name), stdio: 'pipe' });
    files[manifest.name] = `file:${join(tarballs, `${manifest.name.slice(1).replace('/', '-')}-${manifest.version}.tgz`)}`;
  }
  // Every @nevio dependency, direct or not, from the tarballs: none is on the registry yet.
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'nevio-user', private: true, dependencies: files, overrides: files }, null, 2));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: app, stdio: 'pipe', timeout: 150_000 });
}, 180_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `args` in the project; resolves with its output once `ready` matches it. */
function start(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(args[0], args.slice(1), { cwd: app, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      output += d.toString();
      const match = ready.exec(output);
      if (match !== null) resolve({ child, match });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`)));
  });
}

const exitOf = (child: ChildProcess): Promise<number | null> => new Promise((resolve) => child.once('exit', resolve));

test('the installed packages are the packed ones, built: the addons loaded from the project', () => {
  const out = execFileSync(
    process.execPath,
    ['-e', "for (const p of ['@nevio/native', '@nevio/core', '@nevio/http', '@nevio/redis']) console.log(require.resolve(p)); require('@nevio/http')"],
    { cwd: app },
  ).toString();
  expect(out.trim().split('\n')).toEqual(['native/index.js', 'core/dist/index.js', 'http/dist/index.js', 'redis/dist/index.js'].map((p) => join(app, 'node_modules', '@nevio', p)));
});

test("the README's example runs from the user's own file: a client gets the greeting and the echo", async () => {
  copyFileSync(join(ROOT, 'examples', 'hello.js'), join(app, 'hello.js'));
  const { child, match } = await start([process.execPath, 'hello.js'], { ADDRS: 'tcp://127.0.0.1:0' }, /listening on tcp:\/\/127\.0\.0\.1:(\d+)/);
  const socket = connect(Number(match[1]), '127.0.0.1');
  let got = '';
  socket.on('data', (d) => {
    got += d.toString();
    if (got.endsWith('\n') && !got.includes('hi')) socket.write('hi\n');
    else if (got.endsWith('hi\n')) socket.write('quit\n');
  });
  await new Promise((resolve) => socket.once('close', resolve));
  expect(got).toMatch(/^hello tcp:\/\/127\.0\.0\.1:\d+\nhi\nbye\n$/);
  child.kill('SIGINT');
  expect(await exitOf(child)).toBe(0);
});

test('nevio-redis from node_modules/.bin answers PING with PONG', async () => {
  const { child, match } = await start([join(app, 'node_modules', '.bin', 'nevio-redis'), '--port', '0'], {}, /listening on tcp:\/\/127\.0\.0\.1:(\d+)/);
  expect(execFileSync('redis-cli', ['-p', match[1], 'ping']).toString()).toBe('PONG\n');
  child.kill('SIGTERM');
  expect(await exitOf(child)).toBe(0);
});

test('without a C++ toolchain the install hook says what is missing and fails', () => {
  const native = join(app, 'node_modules', '@nevio', 'native');
  const hook = (JSON.parse(readFileSync(join(native, 'package.json'), 'utf8')) as { scripts: { install: string } }).scripts.install;
  expect(hook).toBe('node scripts/gyp.js');
  // A PATH with node alone (node usually shares /usr/bin with the compilers).
  const bin = join(dir, 'node-only');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const r = spawnSync('node', ['scripts/gyp.js'], { cwd: native, env: { PATH: bin }, encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^@nevio\/native: cannot build the native addon: missing a C\+\+17 compiler \(g\+\+ or clang\+\+\), make/);
  expect(r.stderr).toContain('apt-get install g++ make python3');
});
