// TLS in the reactor, driven by Node's own `tls` module as the independent peer: handshake
// before `opened`, conn.tls, TLS 1.2 and 1.3, ALPN, SNI, mTLS, resumption, reload, dial, and
// messages from 1 byte to 16 MiB.
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import type { ConnectionOptions, TLSSocket, Server as TlsServer } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { AddressError, dial, parseAddress, serve, TlsError } from '@nevio/core';
import type { Conn, Events, Options, Server, TlsInfo } from '@nevio/core';
import { delay, eventually, sha256 } from './helpers';
import { makePki } from './tls-support';
import type { Pki } from './tls-support';

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki.remove());

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function tlsServe(events: Events, options: Options = {}, addr = 'tls://127.0.0.1:0'): Promise<Server> {
  const server = await serve(events, addr, { tls: { cert: pki.server.cert, key: pki.server.key }, ...options });
  servers.push(server);
  return server;
}

const echo: Events = { react: (_conn, data) => data };

/** A Node TLS client; resolves once the handshake is done. */
function client(port: number, options: ConnectionOptions = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost', ...options }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `data` and collects `length` bytes of answer. */
function exchange(socket: TLSSocket, data: Buffer | string, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= length) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(data);
  });
}

/** A client whose first session (ticket) is caught whenever it comes: before secureConnect in TLS 1.2, after it in 1.3. */
async function sessionClient(port: number, options: ConnectionOptions = {}): Promise<{ socket: TLSSocket; session: Promise<Buffer> }> {
  let socket!: TLSSocket;
  let session!: Promise<Buffer>;
  await new Promise<void>((resolve, reject) => {
    socket = tlsConnect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost', ...options }, () => resolve());
    session = new Promise((got) => socket.once('session', got));
    socket.once('error', reject);
  });
  return { socket, session };
}

function closed(socket: TLSSocket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

describe('TLS server', () => {
  test('opened runs after the handshake and sees conn.tls; data is echoed; TLS 1.3 by default', async () => {
    let seen: TlsInfo | undefined;
    const server = await tlsServe({
      opened(conn) {
        seen = conn.tls;
        return 'hi:';
      },
      react: (_conn, data) => data,
    });
    const socket = await client(server.addrs[0].port);
    expect(await exchange(socket, 'ping', 7)).toEqual(Buffer.from('hi:ping'));
    expect(seen).toMatchObject({ protocol: 'TLSv1.3', servername: 'localhost', alpn: null, authorized: false, peerCertificate: null });
    expect(seen?.cipher).toMatch(/^TLS_/);
    expect(socket.getProtocol()).toBe('TLSv1.3');
    socket.end();
    await closed(socket);
  });

  test('TLS 1.2 with an ECDHE cipher when the client caps the version; 1-byte and 16 MiB messages intact', async () => {
    let seen: TlsInfo | undefined;
    const server = await tlsServe({
      opened(conn) {
        seen = conn.tls;
      },
      react: (_conn, data) => data,
    });
    const socket = await client(server.addrs[0].port, { maxVersion: 'TLSv1.2' });
    expect(seen?.protocol).toBe('TLSv1.2');
    expect(seen?.cipher).toMatch(/^ECDHE-/);
    expect(await exchange(socket, 'x', 1)).toEqual(Buffer.from('x'));
    const big = randomBytes(16 << 20);
    const back = await exchange(socket, big, big.length);
    expect(back.length).toBe(big.length);
    expect(sha256(back)).toBe(sha256(big));
    socket.end();
    await closed(socket);
  }, 60_000);

  test('16 MiB written by the server in one call reaches a TLS 1.3 client intact', async () => {
    const big = randomBytes(16 << 20);
    const server = await tlsServe({
      react(conn) {
        conn.write(big);
      },
    });
    const socket = await client(server.addrs[0].port);
    const back = await exchange(socket, 'go', big.length);
    expect(sha256(back.subarray(0, big.length))).toBe(sha256(big));
    socket.destroy();
  }, 60_000);

  test('ALPN: the server picks the first of its protocols the client offers; none in common fails', async () => {
    let alpn: string | null | undefined;
    const server = await tlsServe({ opened: (conn) => void (alpn = conn.tls?.alpn) }, { tls: { cert: pki.server.cert, key: pki.server.key, alpn: ['http/1.1', 'h2'] } });
    const socket = await client(server.addrs[0].port, { ALPNProtocols: ['h2', 'http/1.1'] });
    await eventually(() => alpn !== undefined);
    expect(alpn).toBe('http/1.1');
    expect(socket.alpnProtocol).toBe('http/1.1');
    socket.destroy();
    await expect(client(server.addrs[0].port, { ALPNProtocols: ['spdy/3'] })).rejects.toThrow(/no.application.protocol/i);
  });

  test('SNI: each server name gets its certificate, unknown names the default one', async () => {
    const server = await tlsServe(echo, {
      tls: { cert: pki.server.cert, key: pki.server.key, sni: { 'other.test': { cert: pki.other.cert, key: pki.other.key } } },
    });
    const port = server.addrs[0].port;
    const other = await client(port, { servername: 'other.test' });
    expect(other.getPeerCertificate().subject.CN).toBe('other.test');
    other.destroy();
    const plain = await client(port, { servername: 'localhost' });
    expect(plain.getPeerCertificate().subject.CN).toBe('localhost');
    plain.destroy();
  });

  test('mTLS: a client certificate from the CA is authorized and described; none, or a stranger, is refused with a TlsError', async () => {
    let peer: TlsInfo | undefined;
    const errors: Error[] = [];
    const server = await tlsServe(
      { opened: (conn) => void (peer = conn.tls), react: (_c, d) => d, error: (err) => void errors.push(err) },
      { tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requestCert: true } },
    );
    const port = server.addrs[0].port;
    const good = await client(port, { cert: pki.client.cert, key: pki.client.key });
    expect(await exchange(good, 'm', 1)).toEqual(Buffer.from('m'));
    expect(peer?.authorized).toBe(true);
    expect(peer?.peerCertificate?.subject).toBe('CN=client');
    expect(peer?.peerCertificate?.issuer).toBe('CN=nevio test CA');
    expect(peer?.peerCertificate?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(peer?.peerCertificate?.raw.length).toBeGreaterThan(100);
    good.destroy();

    // TLS 1.3 clients learn of the refusal after their handshake: on the first read.
    const none = await client(port).catch((error: Error) => error);
    if (!(none instanceof Error)) await new Promise((resolve) => none.once('error', resolve).once('close', resolve));
    await eventually(() => errors.length >= 1);
    expect(errors[0]).toBeInstanceOf(TlsError);
    expect((errors[0] as TlsError).reason).toMatch(/certificate/);

    const stranger = await client(port, { cert: pki.stranger.cert, key: pki.stranger.key }).catch((error: Error) => error);
    if (!(stranger instanceof Error)) await new Promise((resolve) => stranger.once('error', resolve).once('close', resolve));
    await eventually(() => errors.length >= 2);
    expect((errors[1] as TlsError).verifyError).toMatch(/self.signed/);
  });

  test('mTLS with rejectUnauthorized false: the connection opens and says why it is not authorized', async () => {
    let peer: TlsInfo | undefined;
    const server = await tlsServe(
      { opened: (conn) => void (peer = conn.tls) },
      { tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requestCert: true, rejectUnauthorized: false } },
    );
    const socket = await client(server.addrs[0].port);
    await eventually(() => peer !== undefined);
    expect(peer).toMatchObject({ authorized: false, authorizationError: 'no peer certificate' });
    socket.destroy();
  });

  test('sessions resume from a ticket (TLS 1.3 and 1.2)', async () => {
    const reused: boolean[] = [];
    const server = await tlsServe({ opened: (conn) => void reused.push(conn.tls?.sessionReused ?? false), react: (_c, d) => d });
    const port = server.addrs[0].port;
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const { socket: first, session } = await sessionClient(port, { maxVersion });
      await exchange(first, 'a', 1);
      const saved = await session;
      first.end();
      const second = await client(port, { maxVersion, session: saved });
      expect(second.isSessionReused()).toBe(true);
      // An answer first: the server has seen the handshake complete before the socket goes.
      await exchange(second, 'b', 1);
      second.destroy();
    }
    expect(reused).toEqual([false, true, false, true]);
  });

  test('reloadTls: new handshakes get the new certificate, open connections carry on, tickets stay valid', async () => {
    const server = await tlsServe(echo);
    const port = server.addrs[0].port;
    const { socket: before, session } = await sessionClient(port);
    await exchange(before, 'a', 1);
    expect(before.getPeerCertificate().subject.O).toBeUndefined();
    await server.reloadTls({ cert: pki.renewed.cert, key: pki.renewed.key });
    const after = await client(port);
    expect(after.getPeerCertificate().subject.O).toBe('renewed');
    expect(await exchange(before, 'still', 5)).toEqual(Buffer.from('still'));
    const resumed = await client(port, { session: await session });
    expect(resumed.isSessionReused()).toBe(true);
    await expect(server.reloadTls({ cert: pki.renewed.cert, key: pki.other.key })).rejects.toThrow(/cannot use key/);
    const still = await client(port);
    expect(still.getPeerCertificate().subject.O).toBe('renewed');
    for (const s of [before, after, resumed, still]) s.destroy();
  });

  test('serve refuses a tls:// address without certificates, and settings that do not load', async () => {
    await expect(serve(echo, 'tls://127.0.0.1:0')).rejects.toThrow(/needs options.tls/);
    await expect(serve(echo, 'tls://127.0.0.1:0', { tls: { cert: 'nonsense', key: pki.server.key } })).rejects.toMatchObject({
      code: 'ERR_NEVIO_TLS_CONFIG',
    });
    // The key's bytes never appear in the message.
    const error = await serve(echo, 'tls://127.0.0.1:0', { tls: { cert: pki.server.cert, key: pki.other.key } }).catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain(pki.other.key.split('\n')[1]);
  });

  test('a slow TLS reader: the server stops reading it above the high watermark, memory stays bounded, every byte arrives', async () => {
    let conn: Conn | undefined;
    let most = 0;
    const server = await tlsServe({
      opened: (c) => void (conn = c),
      react(c, data) {
        c.write(data);
        most = Math.max(most, c.outboundBuffered);
      },
    });
    const socket = await client(server.addrs[0].port);
    socket.pause();
    const total = 24 << 20;
    const data = randomBytes(total);
    socket.write(data);
    await delay(1500);
    // Paused: what the server holds is its high watermark plus one read's worth of records.
    expect(conn?.outboundBuffered ?? 0).toBeLessThan((1 << 20) + (256 << 10));
    expect(most).toBeLessThan((1 << 20) + (256 << 10));
    const chunks: Buffer[] = [];
    let got = 0;
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        got += chunk.length;
        if (got >= total) resolve();
      });
      socket.resume();
    });
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(data));
    socket.destroy();
  }, 60_000);

  test('1000 concurrent TLS connections each echo their own message', async () => {
    const server = await tlsServe(echo);
    const port = server.addrs[0].port;
    const sockets: TLSSocket[] = [];
    // Connected in waves of 100: 1000 handshakes at once would only queue in the backlog.
    for (let wave = 0; wave < 10; wave++) {
      sockets.push(...(await Promise.all(Array.from({ length: 100 }, () => client(port)))));
    }
    expect(server.countConnections()).toBe(1000);
    const answers = await Promise.all(sockets.map((s, i) => exchange(s, `message ${i};`, `message ${i};`.length)));
    answers.forEach((answer, i) => expect(answer.toString()).toBe(`message ${i};`));
    sockets.forEach((s) => s.destroy());
    await eventually(() => server.countConnections() === 0, 20_000);
  }, 120_000);

  test('stop closes TLS connections gracefully: close_notify, then FIN', async () => {
    const server = await tlsServe(echo);
    const socket = await client(server.addrs[0].port);
    await exchange(socket, 'a', 1);
    const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
    servers.splice(servers.indexOf(server), 1);
    await Promise.all([server.stop(), (async () => {
      await ended;
      socket.end();
    })()]);
  });
});

describe('TLS dial', () => {
  let peer: TlsServer;
  let port: number;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    peer = createTlsServer({ cert: pki.server.cert, key: pki.server.key, ALPNProtocols: ['x-echo'] }, (s) => s.pipe(s));
    peer.on('connection', (s: Socket) => sockets.add(s));
    peer.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    port = (peer.address() as AddressInfo).port;
  });
  afterAll(() => {
    sockets.forEach((s) => s.destroy());
    return new Promise<void>((resolve) => peer.close(() => resolve()));
  });

  test('tls:// dials verify the server against the CA for the host name and exchange data', async () => {
    let received = '';
    let info: TlsInfo | undefined;
    const done = new Promise<void>((resolve) => {
      void dial(`tls://localhost:${port}`, {
        opened(conn) {
          info = conn.tls;
          return 'hello';
        },
        react(conn, data) {
          received += data.toString();
          if (received === 'hello') conn.close();
        },
        closed: () => resolve(),
      }, { tls: { ca: pki.ca, alpn: ['x-echo'] } });
    });
    await done;
    expect(received).toBe('hello');
    expect(info).toMatchObject({ protocol: 'TLSv1.3', alpn: 'x-echo', servername: 'localhost', authorized: true });
    expect(info?.peerCertificate?.subject).toBe('CN=localhost');
  });

  test('an IP address is verified against the certificate\'s IP SAN', async () => {
    const conn = await dial(`tls://127.0.0.1:${port}`, {}, { tls: { ca: pki.ca } });
    expect(conn.tls?.authorized).toBe(true);
    conn.close();
  });

  test('a certificate from another CA, or for another name, rejects with a TlsError', async () => {
    const untrusted = await dial(`tls://localhost:${port}`, {}).catch((e: Error) => e);
    expect(untrusted).toBeInstanceOf(TlsError);
    expect(untrusted).toMatchObject({ code: 'ERR_SSL_CERTIFICATE_VERIFY_FAILED', verifyError: expect.stringMatching(/local issuer/) });
    const wrongName = await dial(`tcp://127.0.0.1:${port}`, {}, { tls: { ca: pki.ca, servername: 'other.test' } }).catch((e: Error) => e);
    expect(wrongName).toMatchObject({ code: 'ERR_SSL_CERTIFICATE_VERIFY_FAILED', verifyError: expect.stringMatching(/hostname mismatch/) });
    const anyway = await dial(`tls://localhost:${port}`, {}, { tls: { rejectUnauthorized: false } });
    expect(anyway.tls).toMatchObject({ authorized: false, authorizationError: expect.stringMatching(/unable to verify/) });
    anyway.close();
  });

  test('nevio to nevio with client certificates, and resumption with a saved session', async () => {
    const server = await tlsServe(
      { opened: (conn) => `${conn.tls?.peerCertificate?.subject};${conn.tls?.sessionReused}` },
      { tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requestCert: true } },
    );
    const got: string[] = [];
    const options = { tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } };
    const first = await dial(`tls://localhost:${server.addrs[0].port}`, { react: (_c, d) => void got.push(d.toString()) }, options);
    await eventually(() => got.length === 1 && first.tls?.session !== null);
    const session = first.tls?.session ?? undefined;
    first.close();
    const second = await dial(`tls://localhost:${server.addrs[0].port}`, { react: (_c, d) => void got.push(d.toString()) }, {
      tls: { ...options.tls, session },
    });
    await eventually(() => got.length === 2);
    expect(got).toEqual(['CN=client;false', 'CN=client;true']);
    expect(second.tls?.sessionReused).toBe(true);
    second.close();
  });
});

describe('TLS addresses', () => {
  test('tls://, tls4://, tls6:// are TCP with tls; ?tls=true on tcp:// too; contradictions and udp are refused', () => {
    expect(parseAddress('tls://127.0.0.1:443')).toMatchObject({ network: 'tcp', port: 443, options: { tls: true } });
    expect(parseAddress('tls6://[::1]:443')).toMatchObject({ network: 'tcp6', options: { tls: true } });
    expect(parseAddress('tcp://127.0.0.1:443?tls=true&backlog=9')).toMatchObject({ network: 'tcp', options: { tls: true, backlog: 9 } });
    expect(() => parseAddress('tls://127.0.0.1:443?tls=false')).toThrow(AddressError);
    expect(() => parseAddress('udp://127.0.0.1:443?tls=true')).toThrow(/over TCP/);
  });
});
