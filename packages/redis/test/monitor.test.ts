// MONITOR against a real redis-server: the lines (time and client address masked), quoting of
// binary arguments, MULTI/EXEC order, redacted passwords, admin commands left out; and the
// CLIENT introspection the suite checks: LIST/INFO fields, KILL filters, SETNAME rules.
import { useTranscripts, type Named, type Stage } from './support/transcript';

const rig = useTranscripts();
jest.setTimeout(30000);

async function same(scenario: (s: Stage) => Promise<void>): Promise<void> {
  const [theirs, ours] = await rig.both(scenario);
  expect(ours).toEqual(theirs);
}

/** Reads one MONITOR line and records it with the time and the address masked. */
async function monitorLine(s: Stage, m: Named): Promise<void> {
  const line = String(await m.conn.read());
  s.note(line.replace(/^\d+\.\d{6} \[(\d+) [^\]]+\]/, 'T [$1 ADDR]'));
}

test('MONITOR shows commands as run, quoted, in transaction order, without admin commands or passwords', () =>
  same(async (s) => {
    const m = await s.open('m');
    const c = await s.open('c');
    await m.call('MONITOR');
    await c.call('SET', 'foo', 'bar');
    await monitorLine(s, m);
    await c.call('SET', Buffer.from('k\x00\xff"\\\n\r\t\x07\x08 ', 'latin1'), 'v');
    await monitorLine(s, m);
    await c.call('CONFIG', 'GET', 'maxmemory').then(() => s.lines.pop()); // admin: not shown
    await c.call('SELECT', '2');
    await monitorLine(s, m);
    await c.call('GET', 'x');
    await monitorLine(s, m);
    await c.call('MULTI');
    await c.call('SET', 'a', '1');
    await c.call('EXEC');
    for (let i = 0; i < 3; i++) await monitorLine(s, m);
    await c.call('MULTI');
    await c.call('NOSUCHCOMMAND');
    await c.call('EXEC');
    for (let i = 0; i < 2; i++) await monitorLine(s, m);
    await c.call('AUTH', 'not-real');
    await monitorLine(s, m);
    await c.call('AUTH', 'user', 'pass');
    await monitorLine(s, m);
    await c.call('HELLO', '2', 'AUTH', 'user', 'pass');
    await monitorLine(s, m);
    await c.call('EVAL', "return redis.call('set', KEYS[1], ARGV[1])", '1', 'sk', 'sv');
    for (let i = 0; i < 2; i++) await monitorLine(s, m);
    await c.call('MULTI');
    await c.call('MONITOR');
    await c.call('EXEC');
    for (let i = 0; i < 2; i++) await monitorLine(s, m);
    await m.quiet();
  }));

test('CLIENT LIST and INFO fields, IDs, SETNAME and GETNAME', () =>
  same(async (s) => {
    const c = await s.open('c');
    const fields = async (...args: string[]): Promise<void> => {
      const text = String(await c.conn.call(...args));
      // Values that depend on timing, addresses and memory are masked.
      s.note(text.replace(/(^| )(id|addr|laddr|fd|age|idle|qbuf-free|argv-mem|rbs|rbp|tot-mem)=\S*/gm, '$1$2=*'));
    };
    await fields('CLIENT', 'INFO');
    await fields('CLIENT', 'LIST', 'ID', String(c.id), String(c.id));
    await fields('CLIENT', 'LIST', 'ID', '999999');
    await c.call('CLIENT', 'LIST', 'ID', 'x');
    await c.call('CLIENT', 'LIST', 'TYPE', 'pubsub');
    await c.call('CLIENT', 'LIST', 'TYPE', 'bogus');
    await c.call('CLIENT', 'LIST', 'bogus');
    await c.call('CLIENT', 'GETNAME');
    await c.call('CLIENT', 'SETNAME', 'foo bar');
    await c.call('CLIENT', 'SETNAME', 'myname');
    await c.call('CLIENT', 'GETNAME');
    await fields('CLIENT', 'INFO');
    await c.call('CLIENT', 'SETNAME', '');
    await c.call('CLIENT', 'GETNAME');
    await c.call('CLIENT', 'NO-EVICT', 'on');
    await fields('CLIENT', 'INFO');
    await c.call('CLIENT', 'NO-EVICT', 'maybe');
    await c.call('CLIENT', 'NO-EVICT', 'off');
    await c.call('CLIENT', 'TRACKING', 'on', 'BCAST');
    await fields('CLIENT', 'INFO');
    await c.call('CLIENT', 'TRACKING', 'off');
  }));

test('CLIENT KILL: filters, errors, SKIPME, the old form', () =>
  same(async (s) => {
    const c = await s.open('c');
    const v1 = await s.open('v1');
    const v2 = await s.open('v2');
    await c.call('CLIENT', 'KILL');
    await c.call('CLIENT', 'KILL', 'id', '10', 'wrong_arg');
    await c.call('CLIENT', 'KILL', 'id', 'str');
    await c.call('CLIENT', 'KILL', 'id', '-1');
    await c.call('CLIENT', 'KILL', 'id', '0');
    await c.call('CLIENT', 'KILL', 'type', 'wrong_type');
    await c.call('CLIENT', 'KILL', 'user', 'wrong_user');
    await c.call('CLIENT', 'KILL', 'skipme', 'yes_or_no');
    await c.call('CLIENT', 'KILL', '1.2.3.4:5');
    await c.call('CLIENT', 'KILL', 'id', String(v1.id));
    await c.call('CLIENT', 'KILL', 'type', 'master');
    await c.call('CLIENT', 'KILL', 'type', 'pubsub');
    await v2.call('SUBSCRIBE', 'x');
    await c.call('CLIENT', 'KILL', 'type', 'pubsub');
    await new Promise((r) => setTimeout(r, 50));
    s.note(`v1 closed ${v1.conn.closed} v2 closed ${v2.conn.closed}`);
    await c.call('CLIENT', 'KILL', 'id', String(c.id));
    await c.call('CLIENT', 'KILL', 'id', String(c.id), 'skipme', 'no');
    await new Promise((r) => setTimeout(r, 50));
    s.note(`c closed ${c.conn.closed}`);
  }));

test('CLIENT UNBLOCK: TIMEOUT and ERROR, and clients that are not blocked', () =>
  same(async (s) => {
    const c = await s.open('c');
    const b = await s.open('b');
    await c.call('DEL', 'l');
    b.send('BLPOP', 'l', '0');
    await new Promise((r) => setTimeout(r, 100));
    await c.call('CLIENT', 'UNBLOCK', String(b.id));
    await b.read();
    b.send('BLPOP', 'l', '0');
    await new Promise((r) => setTimeout(r, 100));
    await c.call('CLIENT', 'UNBLOCK', String(b.id), 'ERROR');
    await b.read();
    await c.call('CLIENT', 'UNBLOCK', String(b.id));
    await c.call('CLIENT', 'UNBLOCK', String(b.id), 'MAYBE');
    await c.call('CLIENT', 'UNBLOCK', 'x');
    await c.call('CLIENT', 'UNBLOCK', '999999');
  }));
