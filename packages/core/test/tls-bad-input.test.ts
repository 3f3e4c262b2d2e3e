// Hostile and broken TLS peers: each closes only its own connection with a typed TlsError
// (OpenSSL's reason), and the loop goes on serving everyone else at once.
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { serve, TlsError } from '@nevio/core';
import type { Conn, Events, Options, Server } from '@nevio/core';
import { Client, eventually } from './helpers';
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

/** A TLS echo server that records errors and closes. */
async function recorded(options: Options = {}): Promise<{ server: Server; port: number; errors: Error[]; closes: (Error | undefined)[] }> {
  const errors: Error[] = [];
  const closes: (Error | undefined)[] = [];
  const events: Events = {
    react: (_conn, data) => data,
    error: (err) => void errors.push(err),
    closed: (_conn: Conn, err?: Error) => void closes.push(err),
  };
  const server = await serve(events, 'tls://127.0.0.1:0', { tls: { cert: pki.server.cert, key: pki.server.key, ...options.tls }, ...options });
  servers.push(server);
  return { server, port: server.addrs[0].port, errors, closes };
}

function tlsClient(port: number, options: ConnectionOptions = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost', ...options }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A good client still gets served: the loop was not blocked or broken. */
async function stillServes(port: number, options: ConnectionOptions = {}): Promise<void> {
  const socket = await tlsClient(port, options);
  const back = await new Promise<string>((resolve) => {
    socket.once('data', (d: Buffer) => resolve(d.toString()));
    socket.write('alive');
  });
  expect(back).toBe('alive');
  socket.destroy();
}

describe('TLS bad input', () => {
  test('a plaintext client on a TLS port is closed with ERR_SSL_HTTP_REQUEST / WRONG_VERSION_NUMBER', async () => {
    const { port, errors } = await recorded();
    const http = new Client(port);
    http.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await http.closed;
    const junk = new Client(port);
    junk.write('hello there, this is not TLS\r\n');
    await junk.closed;
    await eventually(() => errors.length === 2);
    expect(errors.map((e) => e instanceof TlsError && e.code)).toEqual(['ERR_SSL_HTTP_REQUEST', 'ERR_SSL_WRONG_VERSION_NUMBER']);
    expect(errors[0].message).toMatch(/^TLS: http request tcp:\/\/127\.0\.0\.1:\d+$/);
    await stillServes(port);
  });

  test('a TLS ClientHello on a plain port fails the client only; the server serves on', async () => {
    const server = await serve({ react: (_c, d) => d }, 'tcp://127.0.0.1:0');
    servers.push(server);
    const port = server.addrs[0].port;
    await expect(tlsClient(port)).rejects.toThrow();
    const plain = new Client(port);
    plain.write('ping');
    expect((await plain.waitFor(4)).toString()).toBe('ping');
    plain.end();
  });

  test('an expired server certificate fails the client; an expired client certificate is refused with its reason', async () => {
    const expired = await recorded({ tls: { cert: pki.expired.cert, key: pki.expired.key } });
    await expect(tlsClient(expired.port)).rejects.toMatchObject({ code: 'CERT_HAS_EXPIRED' });
    const mtls = await recorded({ tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requestCert: true } });
    const socket = await tlsClient(mtls.port, { cert: pki.expired.cert, key: pki.expired.key }).catch((e: Error) => e);
    if (!(socket instanceof Error)) await new Promise((resolve) => socket.once('error', resolve).once('close', resolve));
    await eventually(() => mtls.errors.length === 1);
    expect(mtls.errors[0]).toMatchObject({ code: 'ERR_SSL_CERTIFICATE_VERIFY_FAILED', verifyError: 'certificate has expired' });
    await stillServes(mtls.port, { cert: pki.client.cert, key: pki.client.key });
  });

  test('a handshake that never finishes is closed after handshakeTimeout (ERR_TLS_HANDSHAKE_TIMEOUT)', async () => {
    const { port, errors } = await recorded({ tls: { cert: pki.server.cert, key: pki.server.key, handshakeTimeout: 300 } });
    const silent = new Client(port);
    await silent.ready();
    // Half a ClientHello: a record header announcing more than is ever sent.
    const partial = new Client(port);
    partial.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]));
    const started = Date.now();
    await Promise.all([silent.closed, partial.closed]);
    expect(Date.now() - started).toBeLessThan(5000);
    await eventually(() => errors.length === 2);
    for (const error of errors) expect(error).toMatchObject({ code: 'ERR_TLS_HANDSHAKE_TIMEOUT', reason: 'handshake timeout' });
    await stillServes(port);
  });

  test('a peer that connects and leaves without a byte is no error; one that leaves mid-ClientHello is', async () => {
    const { port, errors } = await recorded();
    const probe = new Client(port);
    await probe.ready();
    probe.end();
    await probe.closed;
    const cut = new Client(port);
    cut.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
    cut.end();
    await cut.closed;
    await eventually(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ code: 'ERR_SSL_UNEXPECTED_EOF_DURING_HANDSHAKE' });
  });

  test('a peer that resets, or sends a forged record, mid-stream: closed with a TlsError in `closed`', async () => {
    const { port, closes } = await recorded();
    for (const ending of ['reset', 'forged'] as const) {
      const raw: Socket = netConnect({ host: '127.0.0.1', port });
      raw.on('error', () => {});
      const socket = await tlsClient(port, { socket: raw });
      socket.on('error', () => {});
      await new Promise<void>((resolve) => {
        socket.once('data', () => resolve());
        socket.write('x');
      });
      if (ending === 'reset') {
        // A record header and part of its body on the raw socket, then RST.
        raw.write(Buffer.from([0x17, 0x03, 0x03, 0x01, 0x00, 0xaa, 0xbb]));
        await new Promise((resolve) => setTimeout(resolve, 100));
        raw.resetAndDestroy();
      } else {
        raw.write(Buffer.concat([Buffer.from([0x17, 0x03, 0x03, 0x00, 0x20]), Buffer.alloc(32, 0x41)]));
      }
    }
    await eventually(() => closes.length === 2);
    expect(closes[0]).toMatchObject({ code: 'ECONNRESET', reason: 'connection reset while reading' });
    expect(closes[1]).toBeInstanceOf(TlsError);
    expect((closes[1] as TlsError).reason).toMatch(/decryption failed|bad record mac/);
    await stillServes(port);
  });
});
