// Shared plumbing for the algorithm tests: a real redis-server on a spare loopback port (no
// persistence) with an ioredis connection, started before and stopped after the calling file,
// and a seeded random generator so a failing case can be replayed.
import Redis from 'ioredis';
import { RealRedis as RedisServerChild } from '../types/harness';

export interface RealRedis {
  /** Connected client; `callBuffer` returns bulk strings as Buffers. */
  client: Redis;
  port: number;
}

/** Starts redis-server for the calling test file; the holder is filled in `beforeAll`. */
export function useRealRedis(): RealRedis {
  const holder = {} as RealRedis;
  let child: RedisServerChild | undefined;
  jest.setTimeout(60000);
  beforeAll(async () => {
    child = await RedisServerChild.start();
    // Integer replies as strings: int64 values must not be rounded through a JS number.
    holder.client = new Redis({ port: child.port, host: '127.0.0.1', stringNumbers: true });
    holder.port = child.port;
    await holder.client.ping();
  });
  afterAll(async () => {
    await holder.client?.quit();
    await child?.stop();
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
