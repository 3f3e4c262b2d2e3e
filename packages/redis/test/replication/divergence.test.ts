// A replica that answers its master's stream with an error says so in its log and INFO
// (Redis's afterErrorReply for the master client: "== CRITICAL == This replica is sending an
// error to its master …", unexpected_error_replies), and goes on: the datasets may have diverged
// (integration/replication-4's "Data divergence" tests). DEBUG REPLICATE sends a command to the
// replicas only.
import { caughtUp, cleanup, client, info, nevioServer, redisServer, waitFor } from './procs';

jest.setTimeout(60000);

afterEach(cleanup);

function criticalLines(output: string): string[] {
  return output.split('\n').filter((line) => line.includes('== CRITICAL =='));
}

describe.each(['nevio', 'redis'] as const)('%s master, nevio replica', (masterKind) => {
  it('an error to the master is logged once with the command, counted, and the stream goes on', async () => {
    const master = masterKind === 'redis' ? await redisServer() : await nevioServer();
    const replica = await nevioServer();
    const m = client(master.port);
    const r = client(replica.port);
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await waitFor('the link to come up', () => caughtUp(m, r));

    expect(await m.call('DEBUG', 'REPLICATE', 'fake-command-1')).toBe('OK');
    await m.set('foo', 'bar2');
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    expect(await r.get('foo')).toBe('bar2');
    const [first] = criticalLines(replica.output());
    expect(first).toContain("This replica is sending an error to its master: 'ERR unknown command 'fake-command-1'");
    expect(first).toContain("after processing the command '<unknown>'");

    await r.config('SET', 'replica-read-only', 'no');
    await r.set('number2', 'foo');
    await m.incrby('number2', 1);
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    expect(await r.get('number2')).toBe('foo');
    const lines = criticalLines(replica.output());
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("'ERR value is not an integer or out of range' after processing the command 'incrby'");
    expect((await info(r, 'stats')).get('unexpected_error_replies')).toBe('2');
    // The master never sees the errors: it is not told.
    expect((await info(m, 'stats')).get('unexpected_error_replies')).toBe('0');
  });
});
