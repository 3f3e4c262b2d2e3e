// Pub/Sub against a real redis-server, frame by frame: shard channels (SSUBSCRIBE, SPUBLISH,
// SUNSUBSCRIBE, PUBSUB SHARDCHANNELS/SHARDNUMSUB), confirmations and messages under CLIENT
// REPLY OFF/SKIP (pushes are delivered anyway), RESP2's subscribed-context restrictions, and
// PUBLISH/SPUBLISH in a transaction.
import { useTranscripts, type Stage } from './support/transcript';

const rig = useTranscripts();
jest.setTimeout(30000);

async function same(scenario: (s: Stage) => Promise<void>): Promise<void> {
  const [theirs, ours] = await rig.both(scenario);
  expect(ours).toEqual(theirs);
}

test('shard channels are a namespace of their own', () =>
  same(async (s) => {
    const sub = await s.open('sub');
    const pub = await s.open('pub');
    await sub.call('SSUBSCRIBE', 'chan1');
    await sub.call('SSUBSCRIBE', 'chan2', 'chan2');
    await sub.call('SUBSCRIBE', 'chan1');
    await pub.call('SPUBLISH', 'chan1', 'hello');
    await sub.read();
    await pub.call('PUBLISH', 'chan1', 'plain');
    await sub.read();
    // Hash order in Redis: compare the names sorted.
    const names = await pub.conn.call('PUBSUB', 'SHARDCHANNELS');
    s.note(`shard channels ${Array.isArray(names) ? names.map(String).sort().join(',') : String(names)}`);
    await pub.call('PUBSUB', 'SHARDCHANNELS', 'chan1');
    await pub.call('PUBSUB', 'SHARDCHANNELS', 'x*');
    await pub.call('PUBSUB', 'SHARDNUMSUB', 'chan1', 'chan2', 'nope');
    await pub.call('PUBSUB', 'NUMSUB', 'chan1', 'chan2');
    await pub.call('PUBSUB', 'CHANNELS');
    await pub.call('PUBSUB', 'CHANNELS', 'a', 'b');
    await pub.call('CLIENT', 'LIST', 'ID', String(sub.id)).then(() => s.lines.pop());
    await sub.call('SUNSUBSCRIBE', 'chan1');
    await pub.call('SPUBLISH', 'chan1', 'gone');
    await sub.call('SUNSUBSCRIBE');
    await sub.call('SUNSUBSCRIBE');
    await sub.call('UNSUBSCRIBE');
    await sub.call('PING');
    await pub.call('MULTI');
    await pub.call('SSUBSCRIBE', 'x');
    await pub.call('EXEC');
    await pub.call('SPUBLISH', 'a');
  }));

test('RESP2 subscribed context; RESP3 pushes under CLIENT REPLY OFF and SKIP', () =>
  same(async (s) => {
    const sub = await s.open('sub');
    const pub = await s.open('pub');
    await sub.call('SSUBSCRIBE', 'sc');
    await sub.call('GET', 'x');
    await sub.call('PING', 'hi');
    await sub.call('SUNSUBSCRIBE');
    await sub.call('HELLO', '3').then(() => s.lines.pop());
    sub.send('CLIENT', 'REPLY', 'OFF');
    await sub.call('SUBSCRIBE', 'ch');
    await sub.call('PSUBSCRIBE', 'c*');
    await sub.call('SSUBSCRIBE', 'sc');
    await pub.call('PUBLISH', 'ch', 'm1');
    await sub.read();
    await sub.read();
    await pub.call('SPUBLISH', 'sc', 'm2');
    await sub.read();
    sub.send('GET', 'silenced');
    await sub.call('CLIENT', 'REPLY', 'ON');
    sub.send('CLIENT', 'REPLY', 'SKIP');
    sub.send('PING', 'skipped');
    await sub.call('PING', 'shown');
    await sub.call('UNSUBSCRIBE', 'ch');
    await sub.call('PUNSUBSCRIBE');
    await sub.call('SUNSUBSCRIBE', 'sc');
  }));

test('CLIENT REPLY: OFF, SKIP, ON, errors, and RESET', () =>
  same(async (s) => {
    const c = await s.open('c');
    c.send('CLIENT', 'REPLY', 'OFF');
    c.send('PING', 'a');
    c.send('SET');
    c.send('CLIENT', 'REPLY', 'SKIP'); // ignored while OFF
    await c.call('CLIENT', 'REPLY', 'ON');
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('PING', 'b');
    await c.call('PING', 'c');
    c.send('CLIENT', 'REPLY', 'SKIP');
    await c.call('CLIENT', 'REPLY', 'ON');
    await c.call('CLIENT', 'REPLY', 'MAYBE');
    await c.call('CLIENT', 'REPLY');
    c.send('CLIENT', 'REPLY', 'OFF');
    await c.call('RESET');
    await c.call('PING');
  }));
