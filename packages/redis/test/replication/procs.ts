// Real processes for the replication tests: redis-server (Debian's 7.0), nevio-redis (dist/cli.js)
// and redis-sentinel, each with a directory of its own, stopped (or SIGKILLed) by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { CLI } from '../support/process';
import { freePort } from '../support/ports';

/** A server process under test. */
export interface Proc {
  readonly kind: 'redis' | 'nevio' | 'sentinel';
  readonly port: number;
  readonly proc: ChildProcess;
  readonly dir: string;
  output(): string;
  /** SIGTERM (or `signal`), and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const started: Proc[] = [];
const clients: Redis[] = [];

/** Everything the test file started: call in afterAll/afterEach. */
export async function cleanup(): Promise<void> {
  for (const c of clients.splice(0)) c.disconnect();
  await Promise.all(started.splice(0).map((p) => p.stop('SIGKILL')));
}

/**
 * An ioredis client that fails fast instead of retrying (closed by {@link cleanup});
 * `reconnect`: one that connects again after its connection was killed (Sentinel's CLIENT KILL);
 * `password`: AUTH first.
 */
export function client(port: number, reconnect = false, password?: string): Redis {
  const c = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: reconnect ? () => 100 : () => null, password });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

/** Resolves once `cond` holds (polled every 50 ms); rejects with `what` after `ms`. */
export async function waitFor(what: string, cond: () => Promise<boolean> | boolean, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      if (await cond()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last !== undefined ? `: ${String(last)}` : ''}`);
}

/** INFO replication (or `section`) as a field map. */
export async function info(c: Redis, section = 'replication'): Promise<Map<string, string>> {
  const text = (await c.info(section)) as string;
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) fields.set(line.slice(0, i), line.slice(i + 1));
  }
  return fields;
}

function spawnProc(kind: Proc['kind'], command: string, args: string[], port: number, dir: string): Proc {
  const env = { ...process.env };
  // Not under the sanitizer run's LD_PRELOAD: Debian's binaries are the oracles here.
  if (kind !== 'nevio') delete env.LD_PRELOAD;
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: dir });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const p: Proc = {
    kind,
    port,
    proc,
    dir,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  started.push(p);
  return p;
}

async function ready(p: Proc): Promise<Proc> {
  const c = new Redis(p.port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true, enableReadyCheck: false });
  c.on('error', () => undefined);
  try {
    await waitFor(`${p.kind} on port ${p.port} (${p.output()})`, async () => {
      if (p.proc.exitCode !== null) throw new Error(`exited: ${p.output()}`);
      if (c.status !== 'ready') await c.connect().catch(() => undefined);
      // A server with requirepass is up as well when it answers NOAUTH.
      return (await c.ping().catch((e: Error) => (e.message.startsWith('NOAUTH') ? 'PONG' : e.message))) === 'PONG';
    }, 15000);
  } finally {
    c.disconnect();
  }
  return p;
}

/** redis-server with `args` (e.g. `--replicaof 127.0.0.1 6379`), no persistence by default. */
export async function redisServer(args: string[] = [], port?: number): Promise<Proc> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'nevio-repl-redis-'));
  return ready(spawnProc('redis', 'redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--enable-debug-command', 'yes', ...args], p, dir));
}

/** nevio-redis (the built CLI) with `args`. */
export async function nevioServer(args: string[] = [], port?: number): Promise<Proc> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'nevio-repl-nevio-'));
  return ready(spawnProc('nevio', process.execPath, [CLI, '--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0', ...args], p, dir));
}

/** redis-sentinel monitoring `master` as `name` with the given quorum and timeouts. */
export async function sentinel(name: string, masterPort: number, quorum: number, downAfterMs: number): Promise<Proc> {
  const p = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'nevio-repl-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${p}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} ${quorum}`,
      `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
      `sentinel failover-timeout ${name} 10000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n'),
  );
  return ready(spawnProc('sentinel', 'redis-sentinel', [conf], p, dir));
}

/** True when the replica at `replica` applied everything `master` has sent (same offset, link up). */
export async function caughtUp(master: Redis, replica: Redis): Promise<boolean> {
  const m = await info(master);
  const r = await info(replica);
  return r.get('master_link_status') === 'up' && r.get('slave_repl_offset') === m.get('master_repl_offset');
}

/** DEBUG DIGEST of a server (equal for equal datasets, nevio and redis-server alike). */
export async function digest(c: Redis): Promise<string> {
  return String(await c.call('DEBUG', 'DIGEST'));
}
