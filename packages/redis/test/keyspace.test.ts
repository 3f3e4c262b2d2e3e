// In-process checks of keyspace guarantees that a reply comparison cannot show: SCAN returns
// every key present for the whole iteration, WATCH sees changes by other clients and expiry.
import { inprocServer, resp } from './support/inproc';

/** Parses `*2 $n cursor *k $…` into [cursor, keys]. */
function parseScan(reply: string): [string, string[]] {
  const lines = reply.split('\r\n');
  const cursor = lines[2];
  const keys: string[] = [];
  for (let i = 5; i < lines.length - 1; i += 2) keys.push(lines[i]);
  return [cursor, keys];
}

test('SCAN returns every key that exists throughout, while others are deleted and added', () => {
  const { connect } = inprocServer();
  const c = connect();
  for (let i = 0; i < 1000; i++) c.send(resp('SET', `k${i}`, 'v'));
  const seen = new Set<string>();
  let cursor = '0';
  let calls = 0;
  do {
    const [next, keys] = parseScan(c.send(resp('SCAN', cursor, 'COUNT', '10')));
    keys.forEach((k) => seen.add(k));
    cursor = next;
    // Churn: delete some early keys (odd ones) and add new ones between calls.
    c.send(resp('DEL', `k${calls * 2 + 1}`));
    c.send(resp('SET', `new${calls}`, 'v'));
    calls++;
  } while (cursor !== '0' && calls < 1000);
  expect(cursor).toBe('0');
  for (let i = 0; i < 1000; i += 2) expect(seen.has(`k${i}`)).toBe(true);
});

test('WATCH: a change by another client, or an expiry, makes EXEC return nil', () => {
  const { connect } = inprocServer();
  const a = connect();
  const b = connect();
  a.send(resp('SET', 'w', '1'));
  expect(a.send(Buffer.concat([resp('WATCH', 'w'), resp('MULTI'), resp('INCR', 'w')]))).toBe('+OK\r\n+OK\r\n+QUEUED\r\n');
  expect(b.send(resp('SET', 'w', '5'))).toBe('+OK\r\n');
  expect(a.send(resp('EXEC'))).toBe('*-1\r\n');
  // Unwatched after EXEC: the next transaction goes through.
  expect(a.send(Buffer.concat([resp('MULTI'), resp('INCR', 'w'), resp('EXEC')]))).toBe('+OK\r\n+QUEUED\r\n*1\r\n:6\r\n');
  // A watched key that expires before EXEC counts as changed.
  // 100 ms, so that WATCH surely comes first (a key already expired when WATCHed does not count
  // as changed, as in Redis 7.0): a sanitizer run can take milliseconds between two commands.
  a.send(resp('SET', 'e', '1', 'PX', '100'));
  a.send(resp('WATCH', 'e'));
  const until = Date.now() + 120;
  while (Date.now() < until);
  expect(a.send(Buffer.concat([resp('MULTI'), resp('GET', 'e'), resp('EXEC')]))).toBe('+OK\r\n+QUEUED\r\n*-1\r\n');
  // Touching a different key leaves the transaction alone.
  a.send(resp('WATCH', 'w'));
  b.send(resp('SET', 'other', '1'));
  expect(a.send(Buffer.concat([resp('MULTI'), resp('GET', 'w'), resp('EXEC')]))).toBe('+OK\r\n+QUEUED\r\n*1\r\n$1\r\n6\r\n');
});

test('a pipelined batch of replies is handed to the connection in one write', () => {
  const { server } = inprocServer();
  const writes: number[] = [];
  const conn = { write: (b: Uint8Array) => writes.push(b.length), wake() {}, close() {}, closed: false } as never;
  const c = server.newClient(conn);
  const batch = Buffer.concat(Array.from({ length: 100 }, (_, i) => resp('SET', `p${i}`, 'v')));
  expect(server.processInput(c, batch)).toBe(batch.length);
  expect(writes).toEqual([]);
  server.flush();
  expect(writes).toEqual([500]);
});
