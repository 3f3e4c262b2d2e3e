// Transactions against redis-server 7.0: the replication stream a SYNC replica receives
// (MULTI/EXEC only around several changes, SELECT when the database changes), WATCH of keys
// that were already expired, and maxmemory inside MULTI and at EXEC.
import net from 'node:net';
import Redis from 'ioredis';
import { defaultConfig } from '../src/config';
import { startRedis, type RunningRedis } from '../src/listen';
import { RealRedis } from './types/harness';

jest.setTimeout(60000);

let real: RealRedis;
let nevio: RunningRedis;
const clients: Redis[] = [];

beforeAll(async () => {
  real = await RealRedis.start();
  nevio = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, { warn: () => undefined, error: () => undefined });
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await nevio?.stop();
  await real?.stop();
});

function client(port: number): Redis {
  const c = new Redis(port, { maxRetriesPerRequest: 0 });
  clients.push(c);
  return c;
}

/** A SYNC replica: skips the snapshot, then collects the stream's bytes. */
async function replica(port: number): Promise<{ stream(): string; close(): void }> {
  const sock = net.connect(port, '127.0.0.1');
  let buf = Buffer.alloc(0);
  let rdbEnd = -1;
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
  });
  sock.write('SYNC\r\n');
  for (let i = 0; i < 100 && rdbEnd < 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const s = buf.toString('latin1');
    const m = /^\n*\$(\d+)\r\n/.exec(s);
    if (m !== null && buf.length >= m[0].length + Number(m[1])) rdbEnd = m[0].length + Number(m[1]);
  }
  if (rdbEnd < 0) throw new Error(`no snapshot: ${buf.toString('latin1')}`);
  return {
    // Newlines alone are the master's keepalives.
    // Absolute expiry times (EXPIRE is sent as PEXPIREAT) differ by the run's timing.
    stream: () => buf.subarray(rdbEnd).toString('latin1').replace(/^\n+/, '').replace(/\$13\r\n\d{13}/g, '$13\r\nT'),
    close: () => sock.destroy(),
  };
}

async function streamOf(port: number, script: (string | number)[][]): Promise<string> {
  const c = client(port);
  await c.flushall();
  const r = await replica(port);
  for (const cmd of script) await c.call(String(cmd[0]), ...cmd.slice(1).map(String)).catch(() => undefined);
  await c.ping();
  await new Promise((res) => setTimeout(res, 200));
  r.close();
  return r.stream();
}

const SCRIPTS: Record<string, (string | number)[][]> = {
  'one write in MULTI is sent alone': [['multi'], ['set', 'foo', 'bar'], ['exec'], ['set', 'foo2', 'bar']],
  'several writes are wrapped': [['multi'], ['set', 'a', '1'], ['get', 'a'], ['set', 'b', '2'], ['incr', 'c'], ['exec']],
  'SELECT inside the transaction': [['multi'], ['select', 1], ['set', 'a', '1'], ['select', 2], ['set', 'b', '2'], ['exec'], ['select', 0], ['set', 'z', '1']],
  'empty and read-only transactions send nothing': [['multi'], ['exec'], ['multi'], ['get', 'x'], ['exec'], ['multi'], ['del', 'nokey'], ['exec'], ['set', 'after', '1']],
  'plain writes, no-ops and rewrites': [['set', 'k', '1'], ['del', 'nokey'], ['incrbyfloat', 'f', '1.5'], ['lpush', 'l', 'a', 'b'], ['rpop', 'l'], ['expire', 'k', 100]],
};

describe('the replication stream of a SYNC replica is redis-server\'s', () => {
  for (const [name, script] of Object.entries(SCRIPTS)) {
    it(name, async () => {
      const want = await streamOf(real.port, script);
      expect(want).toMatch(/^\*2\r\n\$6\r\nSELECT/);
      expect(await streamOf(nevio.port, script)).toBe(want);
    });
  }
});

describe('WATCH and MULTI as Redis 7.0', () => {
  async function both(f: (c: Redis) => Promise<unknown>): Promise<void> {
    const want = await f(client(real.port)).catch((e: Error) => `error: ${e.message}`);
    const got = await f(client(nevio.port)).catch((e: Error) => `error: ${e.message}`);
    expect(got).toEqual(want);
  }

  it('a key already expired when WATCHed does not fail EXEC when it is deleted', async () => {
    for (const finish of [async (): Promise<void> => undefined, async (c: Redis): Promise<void> => void (await c.exists('x')), async (c: Redis): Promise<void> => void (await c.flushdb())]) {
      await both(async (c) => {
        await c.del('x');
        await c.set('x', 'foo', 'PX', 1);
        await new Promise((r) => setTimeout(r, 5));
        await c.watch('x');
        await finish(c);
        const r = await c.multi().ping().exec();
        return r;
      });
    }
  });

  it('over maxmemory: commands in MULTI are refused, EXEC of a denyoom transaction aborts, DISCARD works', async () => {
    await both(async (c) => {
      const admin = client(c.options.port ?? 0);
      await c.set('x', 'v');
      await c.multi({ pipeline: false });
      await c.get('x');
      await admin.config('SET', 'maxmemory', '1');
      const readOnly = await c.exec();
      await c.multi({ pipeline: false });
      const refused = await c.set('y', '1').catch((e: Error) => e.message);
      await c.discard();
      await admin.config('SET', 'maxmemory', '0');
      await c.multi({ pipeline: false });
      await c.set('y', '1');
      await admin.config('SET', 'maxmemory', '1');
      const aborted = await c.exec().catch((e: Error) => e.message);
      await admin.config('SET', 'maxmemory', '0');
      return [readOnly, refused, aborted, await c.exists('y')];
    });
  });

  it('EXEC is counted in INFO commandstats, as are the commands it ran', async () => {
    const c = client(nevio.port);
    await c.config('RESETSTAT');
    await c.multi().set('a', '1').get('a').exec();
    const stats = (await c.info('commandstats')) as string;
    for (const cmd of ['multi', 'exec', 'set', 'get']) expect(stats).toMatch(new RegExp(`cmdstat_${cmd}:calls=1,`));
  });
});

