// redis.conf as redis-server reads it: Debian's stock file, the Redis test suite's default.conf,
// quoting, include, repeated directives, the command line as the file's continuation, and each
// bad input a clear exit in redis-server's words.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigFileError, parseArgs } from '../src/config-file';
import { showSetting } from '../src/config';
import { CLI, startCli, type Child } from './support/process';
import { freePort } from './support/ports';

const run = promisify(execFile);
const STOCK = '/etc/redis/redis.conf';
const SUITE_CONF = ['../../../../shared/redis-tests/tests/assets/default.conf', '/work/shared/redis-tests/tests/assets/default.conf']
  .map((p) => path.resolve(__dirname, p))
  .find((p) => fs.existsSync(p));
let dir: string;
const children: Child[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-conf-'));
});
afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes `text` as a config file in the test directory. */
function conf(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Runs nevio-redis to its exit (a bad configuration never gets to listen). */
function fails(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20000 });
  return { status: r.status, stderr: r.stderr };
}

test("Debian's stock redis.conf loads (bind 127.0.0.1 -::1, daemonize, logfile, dir overridden), with one warning line", async () => {
  expect(fs.existsSync(STOCK)).toBe(true);
  const cfg = parseArgs([STOCK, '--dir', dir]);
  expect(cfg.bind).toEqual(['127.0.0.1', '-::1']);
  expect(showSetting(cfg, 'protected-mode')).toBe('yes');
  expect(showSetting(cfg, 'client-output-buffer-limit')).toBe('normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
  expect(showSetting(cfg, 'appenddirname')).toBe('appendonlydir');
  expect(showSetting(cfg, 'loglevel')).toBe('notice');
  expect(cfg.dir).toBe(dir);
  const port = await freePort();
  const child = await startCli([STOCK, '--port', String(port), '--daemonize', 'no', '--logfile', '', '--pidfile', path.join(dir, 'stock.pid'), '--dir', dir]);
  children.push(child);
  expect((await run('redis-cli', ['-p', String(port), 'PING'])).stdout).toBe('PONG\n');
  expect(fs.readFileSync(path.join(dir, 'stock.pid'), 'utf8')).toBe(`${child.proc.pid}\n`);
  const warnings = child.output().split('\n').filter((l) => / # /.test(l));
  expect(warnings.length).toBeLessThanOrEqual(2);
  child.proc.kill('SIGTERM');
  expect(await child.exited).toBe(0);
  expect(fs.existsSync(path.join(dir, 'stock.pid'))).toBe(false);
}, 30_000);

test("the Redis test suite's default.conf loads, as the suite's internal mode starts servers", async () => {
  expect(SUITE_CONF).toBeDefined();
  const port = await freePort();
  const file = conf('suite.conf', `${fs.readFileSync(SUITE_CONF!, 'utf8')}\nport ${port}\ndir ${dir}\npidfile ${dir}/suite.pid\nunixsocket ${dir}/suite.sock\n`);
  const child = await startCli([file]);
  children.push(child);
  // What the suite's wait_server_started and start_server look for in the log.
  expect(child.output()).toContain(` PID: ${child.proc.pid}`);
  expect(child.output()).toContain('Ready to accept connections');
  expect((await run('redis-cli', ['-s', `${dir}/suite.sock`, 'CONFIG', 'GET', 'save'])).stdout).toBe('save\n900 1\n');
  child.proc.kill('SIGTERM');
  expect(await child.exited).toBe(0);
}, 30_000);

test('comments (with apostrophes), quotes and escapes as sdssplitargs; include with wildcards; repeated directives', () => {
  conf('inc-a.conf', 'maxmemory-samples 7\n');
  conf('inc-b.conf', 'maxmemory-samples 9\nuser alice on >pw ~* +@all\n');
  const file = conf(
    'main.conf',
    [
      "# it's a comment, and isn't an unbalanced quote",
      '   # indented comment',
      '',
      'requirepass "a b\\x41\\n"',
      "masterauth 'it\\'s'",
      'save 900 1',
      'save 300 10',
      'client-output-buffer-limit pubsub 1mb 2mb 3',
      'client-output-buffer-limit replica 4mb 5mb 6',
      `include ${dir}/inc-*.conf`,
      'user bob off',
      'bind 127.0.0.1 -::1\t\r',
      'list-max-ziplist-entries 512',
    ].join('\n'),
  );
  const cfg = parseArgs([file]);
  expect(cfg.requirepass).toBe('a bA\n');
  expect(showSetting(cfg, 'masterauth')).toBe("it's");
  expect(cfg.save).toBe('900 1 300 10');
  expect(showSetting(cfg, 'client-output-buffer-limit')).toBe('normal 0 0 0 slave 4194304 5242880 6 pubsub 1048576 2097152 3');
  expect(showSetting(cfg, 'maxmemory-samples')).toBe('9');
  expect(cfg.users).toEqual([['alice', 'on', '>pw', '~*', '+@all'], ['bob', 'off']]);
  expect(cfg.bind).toEqual(['127.0.0.1', '-::1']);
  expect(cfg.configFile).toBe(file);
  // The command line continues the file: its values win, `--save` alone is no save points.
  const over = parseArgs([file, '--save', '--maxmemory-samples', '3', '--bind', '127.0.0.1', '--requirepass', 'x y']);
  expect([over.save, showSetting(over, 'maxmemory-samples'), over.bind, over.requirepass]).toEqual(['', '3', ['127.0.0.1'], 'x y']);
  // A multi-valued parameter given as one quoted value is split again; "--port 7000" is one argument.
  expect(parseArgs(['--save', '60 1 10 2']).save).toBe('60 1 10 2');
  expect(parseArgs(['--port 7000']).port).toBe(7000);
  expect(parseArgs(['--save', '60', '1', '--save', '10', '2']).save).toBe('60 1 10 2');
});

test('each bad input is a clear exit in redis-server words, naming the line or the flag', () => {
  const cases: [string[], number, RegExp][] = [
    [[conf('q.conf', '# ok\nport "6379\n')], 2, /Reading the configuration file .*q\.conf, at line 2\n>>> 'port "6379'\nUnbalanced quotes in configuration line/],
    [[conf('u.conf', 'no-such-directive 1\n')], 2, /at line 1\n>>> 'no-such-directive 1'\nBad directive or wrong number of arguments/],
    [[conf('n.conf', 'port 1 2\n')], 2, />>> 'port 1 2'\nwrong number of arguments/],
    [[conf('d.conf', `dir ${dir}/missing\n`)], 2, /dir .*missing'\nNo such file or directory/],
    [[conf('s.conf', 'save 900\n')], 2, /Invalid save parameters/],
    [[conf('r.conf', 'rename-command FLUSHALL ""\n')], 2, /unsupported by nevio: commands cannot be renamed/],
    [[conf('m.conf', 'loadmodule /x.so\n')], 2, /unsupported by nevio: there are no modules/],
    [[conf('sen.conf', 'sentinel monitor m 127.0.0.1 6379 2\n')], 2, /sentinel directive while not in sentinel mode/],
    [[conf('self.conf', `include ${dir}/self.conf\n`)], 2, /include nested more than 32 deep/],
    [[conf('inc.conf', `include ${dir}/nothing-here.conf\n`)], 1, /Fatal error, can't open config file '.*nothing-here\.conf': No such file or directory/],
    [['--port', 'abc'], 2, /Reading the command line, at --port\n>>> 'port abc'\nargument couldn't be parsed into an integer/],
    [['--databases', '0'], 2, /at --databases\n.*\nargument must be between 1 and 2147483647 inclusive/],
    [['--dir', `${dir}/nope`], 2, /at --dir\n.*\nNo such file or directory/],
    [['port', '7000'], 1, /Fatal error, can't open config file 'port'/],
    [['--port', '0', '-x'], 2, />>> 'port 0 -x'\nwrong number of arguments/],
    [['--port', '0', '--logfile', `${dir}/no/such/dir/log`], 1, /Can't open the log file/],
    [['--appendonly', 'maybe'], 2, /argument must be 'yes' or 'no'/],
  ];
  for (const [args, status, message] of cases) {
    const r = fails(args);
    expect({ args, status: r.status }).toEqual({ args, status });
    expect(r.stderr).toMatch(message);
    if (status === 2) expect(r.stderr).toContain('*** FATAL CONFIG FILE ERROR ***');
  }
  // A comment alone never is an error, whatever it holds.
  expect(() => parseArgs([conf('c.conf', `# "unbalanced ' quotes\n#\n`), '--port', '0'])).not.toThrow();
  expect(() => parseArgs([conf('t.conf', 'port "1" x\n')])).toThrow(ConfigFileError);
}, 60_000);

test('daemonize yes: the command returns, the server runs detached with its pid file, and removes it when stopped', async () => {
  const port = await freePort();
  const pidFile = path.join(dir, 'daemon.pid');
  const r = spawnSync(process.execPath, [CLI, '--port', String(port), '--daemonize', 'yes', '--pidfile', pidFile, '--logfile', path.join(dir, 'daemon.log')], { encoding: 'utf8', timeout: 20000 });
  expect(r.status).toBe(0);
  let pid = 0;
  for (let waited = 0; waited < 10000 && pid === 0; waited += 100) {
    await sleep(100);
    if (fs.existsSync(pidFile)) pid = Number(fs.readFileSync(pidFile, 'utf8'));
  }
  expect(pid).toBeGreaterThan(0);
  try {
    expect((await run('redis-cli', ['-p', String(port), 'PING'])).stdout).toBe('PONG\n');
    expect(fs.readFileSync(path.join(dir, 'daemon.log'), 'utf8')).toMatch(new RegExp(`^${pid}:M .* \\* Ready to accept connections`, 'm'));
  } finally {
    process.kill(pid, 'SIGTERM');
  }
  for (let waited = 0; waited < 10000 && fs.existsSync(pidFile); waited += 100) await sleep(100);
  expect(fs.existsSync(pidFile)).toBe(false);
}, 30_000);

test('protected mode: without a password, a client from a non-loopback address gets DENIED and is closed', async () => {
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
  const port = await freePort();
  const child = await startCli(['--port', String(port), '--bind', '*']);
  children.push(child);
  expect((await run('redis-cli', ['-p', String(port), 'PING'])).stdout).toBe('PONG\n');
  if (external !== undefined) {
    const denied = await run('redis-cli', ['-h', external, '-p', String(port), 'PING']);
    expect(denied.stdout).toMatch(/^DENIED Redis is running in protected mode/);
    await run('redis-cli', ['-p', String(port), 'CONFIG', 'SET', 'protected-mode', 'no']);
    expect((await run('redis-cli', ['-h', external, '-p', String(port), 'PING'])).stdout).toBe('PONG\n');
  }
  child.proc.kill('SIGTERM');
  expect(await child.exited).toBe(0);
}, 30_000);
