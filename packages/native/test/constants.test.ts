import { connect } from 'node:net';
import { constants, Reactor } from '..';

// The exported numbers are the ones the reactor actually writes: drive a reactor directly over a
// real socket and read its records with them.
test('records carry the kinds and syscall codes that `constants` names', async () => {
  const seen: { kind: number; a: number; b: number }[] = [];
  const reactor: Reactor = new Reactor((count) => {
    for (let i = 0; i < count; i++) {
      const [kind, , a, b] = reactor.records.subarray(i * constants.recordWords, (i + 1) * constants.recordWords);
      seen.push({ kind, a, b });
    }
    return 0;
  });
  const listener = reactor.listen('tcp', '127.0.0.1', 0, 4, '', constants.defaults.backlog, true, false);
  reactor.start();
  const client = connect(reactor.listenerAddress(listener)[2], '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  client.write('hello');
  const wait = async (kind: number): Promise<void> => {
    for (let i = 0; i < 200 && !seen.some((r) => r.kind === kind); i++) await new Promise((r) => setTimeout(r, 10));
  };
  await wait(constants.record.data);
  client.resetAndDestroy();
  await wait(constants.record.closed);
  reactor.destroy();

  expect(seen[0]).toEqual({ kind: constants.record.open, a: listener, b: 0 });
  expect(seen.find((r) => r.kind === constants.record.data)?.b).toBe(5);
  const closed = seen.find((r) => r.kind === constants.record.closed);
  expect(closed).toBeDefined();
  // A reset peer: the read failed with ECONNRESET, and the code names the call.
  expect(constants.syscalls[closed!.b]).toBe('read');
});

test('the constants are deeply frozen and the kinds are distinct', () => {
  expect(Object.isFrozen(constants)).toBe(true);
  expect(Object.isFrozen(constants.record)).toBe(true);
  expect(Object.isFrozen(constants.syscalls)).toBe(true);
  const kinds = Object.values(constants.record);
  expect(new Set(kinds).size).toBe(kinds.length);
  expect(constants.syscalls[0]).toBe('');
  expect(constants.defaults.writeLowWatermark).toBeLessThanOrEqual(constants.defaults.writeHighWatermark);
  expect(constants.defaults.readChunk).toBeLessThanOrEqual(constants.maxReadChunk);
});
