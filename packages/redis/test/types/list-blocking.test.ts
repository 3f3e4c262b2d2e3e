// Blocking list pops beyond the basics (blocking.test.ts): BLMPOP served with counts in the order
// clients blocked, timeouts past Node's 2^31-1 ms timer limit, CLIENT UNBLOCK of a BLMPOP, and
// BLMOVE chains, through the real server with raw RESP clients.
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { quietLog } from '../support/inproc';
import { RawClient } from './harness';

let srv: RunningRedis;
let admin: RawClient;
const opened: RawClient[] = [];

jest.setTimeout(30000);

beforeAll(async () => {
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], 'enable-debug-command': 'yes' }, quietLog);
  admin = await RawClient.connect(srv.port);
});

afterAll(async () => {
  for (const c of opened) c.close();
  admin.close();
  await srv.stop();
});

beforeEach(async () => {
  await admin.send(['FLUSHALL']);
});

async function client(): Promise<RawClient> {
  const c = await RawClient.connect(srv.port);
  opened.push(c);
  return c;
}

const text = (b: Buffer): string => b.toString('latin1');

/** Waits until `n` clients are blocked (INFO's blocked_clients). */
async function blockedClients(n: number): Promise<void> {
  const until = Date.now() + 10000;
  for (;;) {
    if (text(await admin.send(['INFO', 'clients'])).includes(`blocked_clients:${n}\r\n`)) return;
    if (Date.now() > until) throw new Error(`never ${n} blocked clients`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('BLMPOP clients blocked on two lists are served in blocking order, each with its count', async () => {
  const [c1, c2, c3, c4] = await Promise.all([client(), client(), client(), client()]);
  const r1 = c1.send(['BLMPOP', '0', '2', 'a', 'b', 'LEFT', 'COUNT', '1']);
  await blockedClients(1);
  const r2 = c2.send(['BLMPOP', '0', '2', 'a', 'b', 'RIGHT', 'COUNT', '10']);
  await blockedClients(2);
  const r3 = c3.send(['BLMPOP', '0', '2', 'a', 'b', 'LEFT', 'COUNT', '10']);
  await blockedClients(3);
  const r4 = c4.send(['BLMPOP', '0', '2', 'a', 'b', 'RIGHT', 'COUNT', '1']);
  await blockedClients(4);
  await admin.send(['MULTI']);
  await admin.send(['LPUSH', 'a', '1', '2', '3', '4', '5']);
  await admin.send(['LPUSH', 'b', 'x', 'y']);
  await admin.send(['EXEC']);
  expect(text(await r1)).toBe('*2\r\n$1\r\na\r\n*1\r\n$1\r\n5\r\n');
  expect(text(await r2)).toBe('*2\r\n$1\r\na\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n');
  expect(text(await r3)).toBe('*2\r\n$1\r\nb\r\n*2\r\n$1\r\ny\r\n$1\r\nx\r\n');
  await blockedClients(1);
  await admin.send(['RPUSH', 'b', 'last']);
  expect(text(await r4)).toBe('*2\r\n$1\r\nb\r\n*1\r\n$4\r\nlast\r\n');
  expect(text(await admin.send(['EXISTS', 'a', 'b']))).toBe(':0\r\n');
});

test('a timeout longer than 2^31-1 ms keeps the client blocked (Node would fire it after 1 ms)', async () => {
  const c = await client();
  // 3,000,000 s = 3e9 ms, past setTimeout's 32-bit limit.
  const popped = c.send(['BLPOP', 'q', '3000000']);
  await blockedClients(1);
  await new Promise((r) => setTimeout(r, 200));
  await blockedClients(1);
  await admin.send(['RPUSH', 'q', 'v']);
  expect(text(await popped)).toBe('*2\r\n$1\r\nq\r\n$1\r\nv\r\n');
});

test('CLIENT UNBLOCK ends a BLMPOP with the timeout reply or the UNBLOCKED error', async () => {
  const c = await client();
  const id = text(await c.send(['CLIENT', 'ID'])).slice(1, -2);
  const first = c.send(['BLMPOP', '0', '1', 'none', 'RIGHT']);
  await blockedClients(1);
  expect(text(await admin.send(['CLIENT', 'UNBLOCK', id]))).toBe(':1\r\n');
  expect(text(await first)).toBe('*-1\r\n');
  const second = c.send(['BLMOVE', 'none', 'dst', 'LEFT', 'RIGHT', '0']);
  await blockedClients(1);
  expect(text(await admin.send(['CLIENT', 'UNBLOCK', id, 'ERROR']))).toBe(':1\r\n');
  expect(text(await second)).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
  expect(text(await admin.send(['CLIENT', 'UNBLOCK', id]))).toBe(':0\r\n');
});

test('linked BLMOVEs pass one pushed element along the chain', async () => {
  const [c1, c2] = await Promise.all([client(), client()]);
  const m1 = c1.send(['BLMOVE', 'l1', 'l2', 'RIGHT', 'LEFT', '0']);
  await blockedClients(1);
  const m2 = c2.send(['BLMOVE', 'l2', 'l3', 'LEFT', 'RIGHT', '0']);
  await blockedClients(2);
  await admin.send(['RPUSH', 'l1', 'foo']);
  expect(text(await m1)).toBe('$3\r\nfoo\r\n');
  expect(text(await m2)).toBe('$3\r\nfoo\r\n');
  expect(text(await admin.send(['LRANGE', 'l3', '0', '-1']))).toBe('*1\r\n$3\r\nfoo\r\n');
  expect(text(await admin.send(['EXISTS', 'l1', 'l2']))).toBe(':0\r\n');
});

test('SWAPDB wakes a client blocked on a key the swapped-in database holds', async () => {
  const c = await client();
  await c.send(['SELECT', '9']);
  const popped = c.send(['BRPOP', 'k', '5']);
  await blockedClients(1);
  await admin.send(['SELECT', '1']);
  await admin.send(['RPUSH', 'k', 'hello']);
  expect(text(await admin.send(['SWAPDB', '1', '9']))).toBe('+OK\r\n');
  expect(text(await popped)).toBe('*2\r\n$1\r\nk\r\n$5\r\nhello\r\n');
  await admin.send(['SELECT', '0']);
});

test('timeouts whose deadline passes INT64_MAX ms wait forever, as in Redis 7.0.15; -1e-400 rounds up to 0', async () => {
  const [c1, c2] = await Promise.all([client(), client()]);
  // 9223372036854775 s is 9223372036854775000 ms, an int64, but now + that wraps in Redis.
  const forever = c1.send(['BLPOP', 'q', '9223372036854775']);
  const zero = c2.send(['BLPOP', 'q', '-1e-400']);
  await blockedClients(2);
  await new Promise((r) => setTimeout(r, 200));
  await blockedClients(2);
  await admin.send(['RPUSH', 'q', 'a', 'b']);
  expect(text(await forever)).toBe('*2\r\n$1\r\nq\r\n$1\r\na\r\n');
  expect(text(await zero)).toBe('*2\r\n$1\r\nq\r\n$1\r\nb\r\n');
});

test('a key that expired while EXEC ran does not serve the blocked client', async () => {
  const c = await client();
  const id = text(await c.send(['CLIENT', 'ID'])).slice(1, -2);
  const popped = c.send(['BRPOP', 'k', '0']);
  await blockedClients(1);
  await admin.send(['DEBUG', 'SET-ACTIVE-EXPIRE', '0']);
  await admin.send(['MULTI']);
  await admin.send(['RPUSH', 'k', 'hello']);
  await admin.send(['PEXPIRE', 'k', '100']);
  await admin.send(['DEBUG', 'SLEEP', '0.2']);
  await admin.send(['EXEC']);
  await admin.send(['DEBUG', 'SET-ACTIVE-EXPIRE', '1']);
  expect(text(await admin.send(['CLIENT', 'LIST', 'ID', id]))).toContain('flags=b');
  expect(text(await admin.send(['EXISTS', 'k']))).toBe(':0\r\n');
  expect(text(await admin.send(['CLIENT', 'UNBLOCK', id]))).toBe(':1\r\n');
  expect(text(await popped)).toBe('*-1\r\n');
});
