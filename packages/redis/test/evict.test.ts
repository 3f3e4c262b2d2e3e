// maxmemory eviction by every policy: which keys go. The memory estimate is the V8 heap's, so
// the tests set it (Memory.used) to exactly one key over the limit and check the choice.
import { updateClock } from '../src/keyspace';
import { inprocServer } from './support/inproc';

const LIMIT = 2 ** 50;

function setup(policy: string): { server: ReturnType<typeof inprocServer>['server']; send(cmd: string): string; evictOne(): boolean } {
  const { server, connect } = inprocServer();
  const c = connect();
  const send = (cmd: string): string => c.send(`${cmd}\r\n`);
  send(`CONFIG SET maxmemory-policy ${policy}`);
  send('CONFIG SET maxmemory-samples 64');
  return {
    server,
    send,
    evictOne: () => {
      // CONFIG SET maxmemory evicts at once down to the real estimate; a jest worker that ran
      // other files may hold over 1 GB, so the limit is 1 PiB, far above any real heap.
      server.configure([['maxmemory', String(LIMIT)]]);
      // Just over the limit by one key's share: one eviction brings it under.
      const keys = server.dbs.reduce((n, db) => n + db.size, 0);
      server.memory.used = LIMIT + Math.floor(LIMIT / keys / 2);
      const ok = server.memory.ensure();
      server.configure([['maxmemory', '0']]);
      return ok;
    },
  };
}

const keysOf = (server: ReturnType<typeof inprocServer>['server']): string[] => [...server.dbs[0].dict.keys()].sort();

describe('maxmemory-policy', () => {
  it('accepts the eight policies of Redis and refuses others', () => {
    const { send } = setup('noeviction');
    for (const p of ['noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
      expect(send(`CONFIG SET maxmemory-policy ${p}`)).toBe('+OK\r\n');
    }
    expect(send('CONFIG SET maxmemory-policy lru')).toMatch(/^-ERR CONFIG SET failed/);
  });

  it('noeviction refuses, and evicts nothing', () => {
    const t = setup('noeviction');
    t.send('SET a 1');
    expect(t.evictOne()).toBe(false);
    expect(keysOf(t.server)).toEqual(['a']);
  });

  it('volatile-ttl evicts the key that expires first, never a persistent one', () => {
    const t = setup('volatile-ttl');
    t.send('SET keep 1');
    t.send('SET later 1 EX 1000');
    t.send('SET soon 1 EX 10');
    expect(t.evictOne()).toBe(true);
    expect(keysOf(t.server)).toEqual(['keep', 'later']);
  });

  it('volatile-* fail like noeviction when no key has an expiry', () => {
    for (const p of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
      const t = setup(p);
      t.send('SET a 1');
      t.send('SET b 1');
      expect(t.evictOne()).toBe(false);
      expect(keysOf(t.server)).toEqual(['a', 'b']);
    }
  });

  it('volatile-random evicts only keys with an expiry', () => {
    const t = setup('volatile-random');
    for (let i = 0; i < 10; i++) t.send(`SET p${i} 1`);
    t.send('SET v 1 EX 100');
    expect(t.evictOne()).toBe(true);
    expect(keysOf(t.server)).not.toContain('v');
    expect(keysOf(t.server)).toHaveLength(10);
  });

  it('allkeys-lru evicts the key read longest ago', () => {
    const t = setup('allkeys-lru');
    t.send('SET old 1');
    t.send('SET fresh 1');
    t.server.dbs[0].dict.get('old')!.lru -= 100;
    t.send('GET fresh');
    expect(t.evictOne()).toBe(true);
    expect(keysOf(t.server)).toEqual(['fresh']);
  });

  it('allkeys-lfu keeps the frequently read key, and OBJECT FREQ shows the counter', () => {
    const t = setup('allkeys-lfu');
    t.send('SET hot 1');
    t.send('SET cold 1');
    for (let i = 0; i < 200; i++) t.send('GET hot');
    const freq = Number(/:(\d+)/.exec(t.send('OBJECT FREQ hot'))?.[1]);
    expect(freq).toBeGreaterThan(5);
    expect(t.send('OBJECT FREQ cold')).toBe(':5\r\n');
    expect(t.evictOne()).toBe(true);
    expect(keysOf(t.server)).toEqual(['hot']);
  });

  it('OBJECT FREQ is refused under a non-LFU policy, as in Redis', () => {
    const t = setup('allkeys-lru');
    t.send('SET a 1');
    expect(t.send('OBJECT FREQ a')).toMatch(/^-ERR An LFU maxmemory policy is not selected/);
  });

  it('TTL, TYPE and EXISTS leave the access time as it was (LRU), TOUCH moves it', () => {
    const t = setup('allkeys-lru');
    t.send('SET a 1');
    t.server.dbs[0].dict.get('a')!.lru -= 100;
    for (const cmd of ['TTL a', 'PTTL a', 'TYPE a', 'EXISTS a']) t.send(cmd);
    expect(Number(/:(\d+)/.exec(t.send('OBJECT IDLETIME a'))?.[1])).toBeGreaterThanOrEqual(99);
    // The access clock is the tick's (none runs in-process): as of now, not of when the module loaded.
    updateClock(Date.now());
    t.send('TOUCH a');
    // The access clock moves by whole seconds: just touched is under 2 s idle (Redis's test too).
    expect(Number(/:(\d+)/.exec(t.send('OBJECT IDLETIME a'))?.[1])).toBeLessThan(2);
  });
});
