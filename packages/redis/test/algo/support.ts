// Shared plumbing for the algorithm tests: a real redis-server on a spare loopback port (no
// persistence) with an ioredis connection, started before and stopped after the calling file,
// and a seeded random generator so a failing case can be replayed.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import Redis from 'ioredis';

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** True once something accepts connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface RealRedis {
  /** Connected client; `callBuffer` returns bulk strings as Buffers. */
  client: Redis;
  port: number;
}

async function startRedis(): Promise<{ proc: ChildProcess; client: Redis; port: number }> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (await accepts(port)) {
      // Integer replies as strings: int64 values must not be rounded through a JS number.
      const client = new Redis({ port, host: '127.0.0.1', stringNumbers: true });
      await client.ping();
      return { proc, client, port };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

/** Starts redis-server for the calling test file; the holder is filled in `beforeAll`. */
export function useRealRedis(): RealRedis {
  const holder = {} as RealRedis;
  let proc: ChildProcess | undefined;
  jest.setTimeout(60000);
  beforeAll(async () => {
    const r = await startRedis();
    proc = r.proc;
    holder.client = r.client;
    holder.port = r.port;
  });
  afterAll(async () => {
    await holder.client?.quit();
    if (proc === undefined || proc.exitCode !== null) return;
    const p = proc;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  });
  return holder;
}

/** Redis's reply to `args`, or the error text (without the leading `-`) when it failed. */
export async function reply(r: RealRedis, args: (string | Buffer | number)[]): Promise<unknown> {
  try {
    return await r.client.callBuffer(String(args[0]), ...args.slice(1).map((a) => (typeof a === 'number' ? String(a) : a)));
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** xorshift32: small, fast and reproducible from its seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  /** Uniform in [0, 2^32). */
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return this.u32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** `n` bytes drawn from `alphabet`. */
  bytes(n: number, alphabet: readonly number[]): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.pick(alphabet);
    return b;
  }
  /** A uniformly random signed 64-bit integer. */
  i64(): bigint {
    return BigInt.asIntN(64, (BigInt(this.u32()) << 32n) | BigInt(this.u32()));
  }
}
