// Clients and users against redis-server 7.0: which connections a user change disconnects
// (DELUSER of the user in use, revoked channel permissions of subscribers, the default user
// turned off for new connections), ioredis and node-redis logging in with username+password,
// CLIENT LIST user= and CLIENT KILL USER, and an HTTP request sent to the port.
import Redis from 'ioredis';
import { createClient } from 'redis';
import net from 'node:net';
import { bothServers } from './support/events';
import { closeTwin, diffScript, twin, type Twin } from './support/acl';
import { RespConn } from './support/resp';

jest.setTimeout(60000);

const both = bothServers();
let a: Twin;

beforeAll(async () => {
  a = await twin(both);
});

afterAll(() => closeTwin(a));

async function expectSame(conns: Record<string, Twin>, script: string): Promise<void> {
  expect(await diffScript(conns, script)).toEqual([]);
}

test('DELUSER: a client of another user stays, the clients of the deleted user go', async () => {
  const b = await twin(both);
  const c = await twin(both);
  await expectSame(
    { a, b, c },
    `
    acl setuser not_used on >passwd
    acl deluser not_used
    acl setuser using on +acl +ping >passwd
    b: auth using passwd
    c: auth using passwd
    b: acl deluser using
    b: ping
    c: ping
    a: ping
  `,
  );
  closeTwin(b);
  closeTwin(c);
});

test('subscribers are killed when their channel permission is revoked, pardoned when kept', async () => {
  for (const [sub, chan, rules] of [
    ['subscribe', 'foo:1', '&foo:1'],
    ['ssubscribe', 'foo:1', '&foo:1'],
    ['psubscribe', 'bar:*', '&bar:*'],
    ['psubscribe', 'foo', 'allchannels'],
  ]) {
    const b = await twin(both);
    await expectSame(
      { a, b },
      `
      acl setuser psuser on >pspass +@all resetchannels ${rules}
      b: auth psuser pspass
      b: client setname deathrow
      b: ${sub} ${chan}
      acl setuser psuser resetchannels
      b: ping
      `,
    );
    closeTwin(b);
  }
  const b = await twin(both);
  await expectSame(
    { a, b },
    `
    acl setuser psuser on >pspass +@all resetchannels &foo:1 &bar:* &orders
    b: auth psuser pspass
    b: subscribe foo:1
    b: ssubscribe orders
    b: psubscribe bar:*
    acl setuser psuser resetchannels &foo:1 &bar:* &orders &baz:qaz &zoo:*
    b: ping
    acl setuser psuser allchannels
    b: ping
    acl setuser psuser resetchannels &foo:2
    b: ping
  `,
  );
  closeTwin(b);
});

test('the default user turned off: new connections need AUTH', async () => {
  await expectSame({ a }, 'acl setuser default off');
  const b = await twin(both);
  await expectSame(
    { a, b },
    `
    b: ping
    b: hello 3
    b: auth default ''
    a: acl setuser default on
    b: ping
  `,
  );
  closeTwin(b);
});

test('CLIENT LIST shows the user, CLIENT KILL USER disconnects its clients', async () => {
  const b = await twin(both);
  await expectSame(
    { a, b },
    `
    acl setuser lister on >pw +@all
    b: auth lister pw
    client kill user nosuchuser
    client kill user lister
    b: ping
  `,
  );
  const c = await RespConn.connect(both.nevio.port);
  await c.call('auth', 'lister', 'pw');
  await c.call('client', 'setname', 'listed');
  const list = String(await a.nevio.call('client', 'list'));
  expect(list).toMatch(/name=listed .* user=lister /);
  c.close();
  closeTwin(b);
});

test('ioredis and node-redis log in with username and password', async () => {
  await expectSame({ a }, 'acl setuser appuser on >app-secret ~app:* +@all -@dangerous');
  for (const port of [both.real.port, both.nevio.port]) {
    const io = new Redis({ port, host: '127.0.0.1', username: 'appuser', password: 'app-secret', lazyConnect: true, maxRetriesPerRequest: 0, enableReadyCheck: false });
    await io.connect();
    expect(await io.call('acl', 'whoami')).toBe('appuser');
    expect(await io.set('app:1', 'v')).toBe('OK');
    await expect(io.set('other', 'v')).rejects.toThrow('NOPERM this user has no permissions to access one of the keys used as arguments');
    await expect(io.flushall()).rejects.toThrow("NOPERM this user has no permissions to run the 'flushall' command");
    io.disconnect();

    const other = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    await other.connect();
    await expect(other.call('auth', 'appuser', 'wrong')).rejects.toThrow('WRONGPASS invalid username-password pair or user is disabled.');
    other.disconnect();

    const nr = createClient({ url: `redis://appuser:app-secret@127.0.0.1:${port}`, RESP: 3 });
    await nr.connect();
    expect(await nr.sendCommand(['ACL', 'WHOAMI'])).toBe('appuser');
    expect(await nr.get('app:1')).toBe('v');
    await expect(nr.get('other')).rejects.toThrow('NOPERM');
    await nr.del('app:1');
    nr.destroy();
  }
});

test('an HTTP request (POST, Host:) is disconnected without a reply, and logged once', async () => {
  const warnings: string[] = [];
  const log = both.nevio.server.log;
  const warn = log.warn;
  log.warn = (m: string) => warnings.push(m);
  try {
    for (const port of [both.real.port, both.nevio.port]) {
      for (const request of ['POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n']) {
        const s = net.createConnection({ host: '127.0.0.1', port });
        let received = '';
        s.on('data', (d) => (received += d.toString('latin1')));
        const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
        s.on('error', () => undefined);
        s.write(request);
        await closed;
        // Not even GET's error reply (an unknown command) is sent: the client is dropped at once.
        expect(received).toBe('');
      }
    }
  } finally {
    log.warn = warn;
  }
  expect(warnings.filter((w) => w.startsWith('Possible SECURITY ATTACK detected')).length).toBe(1);
  expect(String(await a.nevio.call('ping'))).toBe('PONG');
});
