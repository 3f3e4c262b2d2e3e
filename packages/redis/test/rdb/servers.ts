// Servers for the RDB interop tests: Debian's redis-server on a directory of the test's choosing
// (so that it writes or reads a given dump.rdb), and nevio-redis in process on another one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { defaultConfig, type Config } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { freePort } from '../support/ports';

/** A server under test with an ioredis client. */
export interface TestServer {
  readonly port: number;
  readonly client: Redis;
  stop(): Promise<void>;
}

/** A fresh temporary directory (removed by the caller with {@link removeDir}). */
export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `nevio-rdb-${tag}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

async function connect(port: number): Promise<Redis> {
  for (let i = 0; i < 200; i++) {
    const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await c.connect();
      return c;
    } catch {
      c.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`no server on ${port}`);
}

/** redis-server 7.0.15 with `--dir dir` (it loads `dir`/dump.rdb when there is one). */
export async function startRedisServer(dir: string, args: string[] = []): Promise<TestServer> {
  const port = await freePort();
  const env = { ...process.env };
  // The oracle runs outside the sanitizer run's LD_PRELOAD.
  delete env.LD_PRELOAD;
  const proc: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--enable-debug-command', 'yes', ...args],
    { stdio: 'ignore', env },
  );
  const client = await connect(port);
  return {
    port,
    client,
    stop: () =>
      new Promise<void>((resolve) => {
        client.disconnect();
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      }),
  };
}

/** nevio-redis in process with `dir` (it loads `dir`/dump.rdb at start when there is one). */
export async function startNevio(dir: string, config: Partial<Config> = {}): Promise<TestServer & { running: RunningRedis }> {
  const quiet = { notice: () => undefined, warn: () => undefined, error: () => undefined };
  const running = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], dir, 'enable-debug-command': 'yes', ...config }, quiet);
  const client = await connect(running.port);
  return {
    port: running.port,
    client,
    running,
    async stop() {
      client.disconnect();
      await running.stop();
    },
  };
}

/** redis-check-rdb on `file`: its exit status and output. */
export function checkRdb(file: string): { status: number | null; output: string } {
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  const r = spawnSync('redis-check-rdb', [file], { encoding: 'latin1', env });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
