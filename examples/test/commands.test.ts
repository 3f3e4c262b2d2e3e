// Every shell command in README.md and docs/*.md, run as written: each ```sh block runs in a
// network namespace of its own (loopback only), so the documented fixed ports (5000, 8080, 6379)
// are free and nothing reaches another test's or user's server. npm and pnpm run offline there,
// from the cache and the installed node_modules. `pnpm` is `npx -y pnpm@10.34.9`, as the pages say.
//
// A command is one of: run to completion (exit 0, its output checked), a server (started, ready
// when it prints its "listening" line, probed, then stopped with SIGINT and expected to exit 0;
// the commands after it in the block run against it), or skipped, with the reason. Every command
// of the pages must be in the table below and every entry of the table in the pages.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const PNPM = 'npx -y pnpm@10.34.9';

/** Runs to completion with exit status 0; its output (stdout and stderr) matches `prints`. */
interface Runs {
  readonly runs: RegExp;
  /**
   * What is typed, as a person would: the first chunk once the command printed something (a
   * greeting) or after 1 s (it has connected by then), the others 100 ms apart, then end of input.
   */
  readonly stdin?: readonly string[];
}
/** A command run against the server while it serves, and what it must print. */
interface Probe {
  readonly command: string;
  readonly stdin?: readonly string[];
  readonly prints: RegExp;
}
/** A server: ready once its output matches `serves`; it must exit 0 on SIGINT. */
interface Serves {
  readonly serves: RegExp;
  readonly probe?: Probe;
  /** Files it needs in the checkout (a config file), written before and removed after. */
  readonly files?: Readonly<Record<string, string>>;
}
/** Not run, and why. */
interface Skipped {
  readonly skipped: string;
}
type How = Runs | Serves | Skipped;

const TALK_5000 = `node -e "process.stdin.pipe(require('net').connect(5000, '127.0.0.1')).pipe(process.stdout)"`;
const ECHO_PROBE: Probe = { command: TALK_5000, stdin: ['ping\n'], prints: /^ping\n$/ };
const HTTP_PROBE: Probe = { command: 'curl -s 127.0.0.1:8080/', prints: /^Hello, World!$/ };
const BUILT = /Tasks: +\d+ successful, \d+ total/;
const WHOLE_SUITE = 'the whole test suite, this test included (it would run itself); it is how the suite is run';
const BENCHMARKS = 'benchmarks: minutes of load on every core, run by whoever publishes docs/benchmarks.md, never by the tests';

/** How each documented command is run and checked, by its text without the trailing comment. */
const COMMANDS: Readonly<Record<string, How>> = {
  'bash scripts/start.sh': { serves: /nevio-echo listening on tcp:\/\/127\.0\.0\.1:5000 /, probe: ECHO_PROBE },
  'bash scripts/test.sh': { skipped: WHOLE_SUITE },
  'bash scripts/setup.sh': { runs: BUILT },
  'pnpm build': { runs: BUILT },
  'pnpm test': { skipped: WHOLE_SUITE },
  'pnpm bench [echo|http|redis|memory] [--quick]': { skipped: `a synopsis of the next; ${BENCHMARKS}` },
  'pnpm bench': { skipped: BENCHMARKS },
  'pnpm run docs': { runs: /html generated at \.\/docs\/api/ },
  'node examples/hello.js': { serves: /listening on tcp:\/\/127\.0\.0\.1:5000, unix:\/\/\/tmp\/echo\.sock/ },
  [TALK_5000]: { runs: /^hello tcp:\/\/127\.0\.0\.1:\d+\nhi\nbye\n$/, stdin: ['hi\n', 'quit\n'] },
  'node packages/echo/dist/cli.js --addr tcp://127.0.0.1:5000': { serves: /listening on tcp:\/\/127\.0\.0\.1:5000 /, probe: ECHO_PROBE },
  'node packages/echo/dist/cli.js --addr tcp://:5000 --addr udp://:5000': {
    serves: /listening on tcp:\/\/(0\.0\.0\.0|\[::\]):5000, udp:\/\/(0\.0\.0\.0|\[::\]):5000 /,
    probe: ECHO_PROBE,
  },
  'node packages/echo/dist/cli.js --addr tcp://127.0.0.1:5000 --loops 2': { serves: /with 2 loop\(s\)/, probe: ECHO_PROBE },
  'node packages/http/dist/cli.js --addr tcp://127.0.0.1:8080': { serves: /listening on tcp:\/\/127\.0\.0\.1:8080 /, probe: HTTP_PROBE },
  'node packages/http/dist/cli.js --addr tcp://:8080 --root docs --log': {
    serves: /listening on tcp:\/\/(0\.0\.0\.0|\[::\]):8080 serving \S+\/docs /,
    probe: { command: 'curl -s 127.0.0.1:8080/README.md', prints: /^# nevio documentation\n/ },
  },
  'node packages/http/dist/cli.js --help': { runs: /^Usage: nevio-http .*\n[^]*--addr ADDR/ },
  'node packages/http/dist/cli.js docs -p 8080 --autoindex --log': {
    serves: /listening on tcp:\/\/127\.0\.0\.1:8080 serving \S+\/docs /,
    // docs/ has no index.html: the listing, with a link per page.
    probe: { command: 'curl -s 127.0.0.1:8080/', prints: /<a href="\.\/http\.md">http\.md<\/a>/ },
  },
  'mkdir -p /tmp/public && seq 1 20000 > /tmp/public/numbers.txt': { runs: /^$/ },
  'node packages/http/dist/cli.js /tmp/public -p 8080': { serves: /listening on tcp:\/\/127\.0\.0\.1:8080 serving \/tmp\/public / },
  "curl -s --compressed -o /dev/null -w '%{size_download} bytes\\n' localhost:8080/numbers.txt": { runs: /^\d{4,5} bytes\n$/ },
  "curl -s -H 'Accept-Encoding: gzip' -D - -o /dev/null localhost:8080/numbers.txt": { runs: /content-encoding: gzip\r\n[^]*vary: Accept-Encoding|vary: Accept-Encoding[^]*content-encoding: gzip/i },
  'gzip -kf /tmp/public/numbers.txt': { runs: /^$/ },
  'node examples/http-hello.js': { serves: /listening on tcp:\/\/127\.0\.0\.1:8080/ },
  'curl -s localhost:8080/': { runs: /^Hello, World!$/ },
  "curl -s --data-binary 'some body' localhost:8080/echo": { runs: /^some body$/ },
  "curl -s 'localhost:8080/hi?name=nevio'": { runs: /^\{"hello":"nevio"\}$/ },
  'node packages/redis/dist/cli.js --port 6379': { serves: /listening on tcp:\/\/127\.0\.0\.1:6379\b/, probe: { command: 'redis-cli -p 6379 ping', prints: /^PONG\n$/ } },
  'node packages/redis/dist/cli.js --port 6379 --bind 127.0.0.1': { serves: /listening on tcp:\/\/127\.0\.0\.1:6379\b/ },
  'redis-cli -p 6379 set greeting hello': { runs: /^OK\n$/ },
  'redis-cli -p 6379 get greeting': { runs: /^hello\n$/ },
  'node packages/redis/dist/cli.js examples/nevio.conf --port 6381': {
    serves: /listening on tcp:\/\/127\.0\.0\.1:6381\b/,
    probe: { command: 'redis-cli -p 6381 config get databases', prints: /^databases\n4\n$/ },
  },
};

interface Block {
  readonly where: string;
  readonly commands: readonly string[];
}

/** The ```sh blocks of a page; a command is a line (`\` continues it), comment lines are not. */
function shellBlocks(page: string): Block[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)/.exec(lines[i]);
    if (fence === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
    if (!['sh', 'bash', 'shell', 'console'].includes(fence[1])) continue;
    const commands = body
      .join('\n')
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    blocks.push({ where: `${page}:${start + 1}`, commands });
  }
  return blocks;
}

/** A command's text without its trailing comment: the key of {@link COMMANDS}. */
const bare = (command: string): string => command.replace(/\s+#\s.*$/, '').trim();

const BLOCKS = PAGES.flatMap(shellBlocks);

test('every documented command is in the table, and every entry of the table is documented', () => {
  const documented = new Set(BLOCKS.flatMap((b) => b.commands.map(bare)));
  expect(documented.size).toBeGreaterThan(20);
  expect([...documented].filter((c) => !Object.hasOwn(COMMANDS, c))).toEqual([]);
  expect(Object.keys(COMMANDS).filter((c) => !documented.has(c))).toEqual([]);
});

/**
 * What this file started and has not seen exit: a test that times out never reaches its
 * `finally`, so afterAll kills these (process groups of commands, namespace holders), or a
 * server would outlive the run and skew every later measurement on the machine.
 */
const running = new Map<ChildProcess, 'group' | 'process'>();

function track(child: ChildProcess, kind: 'group' | 'process'): ChildProcess {
  running.set(child, kind);
  child.once('exit', () => running.delete(child));
  return child;
}

afterAll(() => {
  for (const [child, kind] of running) {
    try {
      if (kind === 'group') process.kill(-child.pid!, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // Gone between its exit and the event.
    }
  }
});

/** A network namespace with only loopback, held open by a sleeping process. */
class Namespace {
  private constructor(private readonly holder: ChildProcess) {}

  static async open(): Promise<Namespace> {
    const root = process.getuid?.() === 0;
    const holder = track(spawn('unshare', [...(root ? [] : ['--user', '--map-root-user']), '--net', 'sleep', 'infinity'], { stdio: 'ignore' }), 'process');
    const own = readlinkSync('/proc/self/ns/net');
    const deadline = Date.now() + 10_000;
    for (;;) {
      let theirs = own;
      try {
        theirs = readlinkSync(`/proc/${holder.pid}/ns/net`);
      } catch {
        // Not started yet.
      }
      if (theirs !== own && readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8').startsWith('sleep')) break;
      if (Date.now() > deadline) throw new Error('unshare --net did not start (needs root, or unprivileged user namespaces)');
      await new Promise((r) => setTimeout(r, 10));
    }
    const ns = new Namespace(holder);
    const up = await ns.run('ip link set lo up');
    if (up.status !== 0) throw new Error(`ip link set lo up: ${up.output}`);
    return ns;
  }

  /** Starts `command` with bash inside the namespace, in its own process group. */
  spawn(command: string, stdin: readonly string[] = []): ChildProcess {
    const root = process.getuid?.() === 0;
    const enter = ['-t', String(this.holder.pid), ...(root ? [] : ['-U', '--preserve-credentials']), '-n', '--', 'bash', '-c', command];
    const child = track(spawn('nsenter', enter, { cwd: ROOT, env: ENV, detached: true, stdio: ['pipe', 'pipe', 'pipe'] }), 'group');
    const typing = [...stdin];
    const type = (): void => {
      if (typing.length === 0) child.stdin!.end();
      else child.stdin!.write(typing.shift()!, () => setTimeout(type, 100));
    };
    if (typing.length === 0) type();
    else {
      const first = setTimeout(type, 1000);
      child.stdout!.once('data', () => {
        clearTimeout(first);
        type();
      });
    }
    return child;
  }

  run(command: string, stdin?: readonly string[]): Promise<{ status: number | null; output: string }> {
    const child = this.spawn(command, stdin);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    return new Promise((resolve) => child.once('close', (status) => resolve({ status, output })));
  }

  close(): void {
    this.holder.kill('SIGKILL');
  }
}

const shims = mkdtempSync(join(tmpdir(), 'nevio-commands-'));
writeFileSync(join(shims, 'pnpm'), `#!/bin/sh\nexec ${PNPM} "$@"\n`);
chmodSync(join(shims, 'pnpm'), 0o755);
const ENV = { ...process.env, PATH: `${shims}:${process.env.PATH}`, npm_config_offline: 'true', TURBO_TELEMETRY_DISABLED: '1' };
afterAll(() => rmSync(shims, { recursive: true, force: true }));

/** A running server: stopped with SIGINT to its process group. */
interface Server {
  readonly command: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly files: readonly string[];
}

async function startServer(ns: Namespace, command: string, how: Serves): Promise<Server> {
  const files = Object.entries(how.files ?? {}).map(([name, content]) => {
    writeFileSync(join(ROOT, name), content);
    return join(ROOT, name);
  });
  const child = ns.spawn(command);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 60_000;
  while (!how.serves.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
      for (const file of files) unlinkSync(file);
      throw new Error(`${command}: not serving (${child.exitCode}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { command, child, output: () => output, files };
}

async function stopServer(server: Server): Promise<void> {
  try {
    const exited = new Promise((resolve) => server.child.once('exit', (code) => resolve(code)));
    process.kill(-server.child.pid!, 'SIGINT');
    expect({ command: server.command, status: await exited }).toEqual({ command: server.command, status: 0 });
  } finally {
    for (const file of server.files) unlinkSync(file);
  }
}

const runnable = BLOCKS.filter((b) => b.commands.some((c) => !('skipped' in (COMMANDS[bare(c)] ?? { skipped: '' }))));

test.each(runnable.map((b) => [b.where, b] as const))('%s: every command, as written', async (_where, block) => {
  const ns = await Namespace.open();
  let server: Server | undefined;
  try {
    for (const command of block.commands) {
      const how = COMMANDS[bare(command)];
      if ('skipped' in how) continue;
      if ('serves' in how) {
        // One server at a time: the pages show alternatives on the same port.
        if (server !== undefined) await stopServer(server);
        server = await startServer(ns, command, how);
        if (how.probe !== undefined) {
          const probe = await ns.run(how.probe.command, how.probe.stdin);
          expect({ command, probe: how.probe.command, ...probe }).toMatchObject({ status: 0, output: expect.stringMatching(how.probe.prints) });
        }
      } else {
        const result = await ns.run(command, how.stdin);
        expect({ command, ...result }).toMatchObject({ command, status: 0, output: expect.stringMatching(how.runs) });
      }
    }
  } finally {
    if (server !== undefined) await stopServer(server);
    ns.close();
  }
}, 300_000);
