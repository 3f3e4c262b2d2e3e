// tls-replication: the link runs over TLS both ways with real redis-server 7.0 (Debian's is built
// with TLS): a nevio replica dials a redis-server master's tls-port with a client certificate,
// and a redis-server replica follows a nevio master over nevio's TLS listener.
import { makePki, type Pki } from '../../../core/test/tls-support';
import { freePort } from '../support/ports';
import { caughtUp, cleanup, client, digest, nevioServer, redisServer, waitFor } from './procs';

jest.setTimeout(60000);

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});
afterEach(cleanup);
afterAll(() => pki.remove());

/** A server's TLS listener, requiring client certificates, plus the client side for its link. */
const tlsArgs = (tlsPort: number): string[] => [
  '--tls-port', String(tlsPort), '--tls-cert-file', pki.server.certPath, '--tls-key-file', pki.server.keyPath,
  '--tls-ca-cert-file', pki.caPath, '--tls-auth-clients', 'yes',
  '--tls-replication', 'yes', '--tls-client-cert-file', pki.client.certPath, '--tls-client-key-file', pki.client.keyPath,
];

/** A `replicaKind` replica follows a `masterKind` master over the master's TLS port: sync, then the stream. */
async function followOverTls(masterKind: 'redis' | 'nevio', replicaKind: 'redis' | 'nevio'): Promise<void> {
  const start = (kind: 'redis' | 'nevio', args: string[]) => (kind === 'redis' ? redisServer(args) : nevioServer(args));
  const tlsPort = await freePort();
  const master = await start(masterKind, tlsArgs(tlsPort));
  const replica = await start(replicaKind, tlsArgs(await freePort()));
  const [m, r] = [client(master.port), client(replica.port)];
  await m.set('s', 'over tls');
  await m.rpush('l', 'a', 'b');
  await m.hset('h', 'f', 'v');
  await r.call('REPLICAOF', '127.0.0.1', String(tlsPort));
  await waitFor('the TLS link to come up', () => caughtUp(m, r));
  await m.set('after', 'the sync');
  await waitFor('the stream over TLS', () => caughtUp(m, r));
  expect(await digest(r)).toBe(await digest(m));
  expect(await r.get('after')).toBe('the sync');
}

test('a nevio replica of a redis-server master, over TLS with a client certificate', () => followOverTls('redis', 'nevio'));

test('a redis-server replica of a nevio master, over TLS', () => followOverTls('nevio', 'redis'));

test('without a CA to check the master against, the replica logs why and does not link', async () => {
  const tlsPort = await freePort();
  const master = await nevioServer(tlsArgs(tlsPort));
  const replica = await nevioServer(['--tls-replication', 'yes']);
  const r = client(replica.port);
  await r.call('REPLICAOF', '127.0.0.1', String(tlsPort));
  await waitFor('the refusal in the log', () => replica.output().includes('tls-ca-cert-file'));
  expect((await r.info('replication')).includes('master_link_status:down')).toBe(true);
  expect(master.output()).not.toContain('Synchronization with replica');
});
