// PROXY protocol v1/v2 on listeners: the header of a trusted peer names conn.remoteAddr before
// `opened` runs, bytes after it reach `react` untouched, and a bad header closes only its own
// connection.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { parseProxyHeader, ProxyProtocolError, serve } from '@nevio/core';
import type { Conn, Server } from '@nevio/core';
import { delay, eventually } from './helpers';

function v2(command: number, family: number, block: Buffer): Buffer {
  const fixed = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x20 | command, family, 0, 0]);
  fixed.writeUInt16BE(block.length, 14);
  return Buffer.concat([fixed, block]);
}

function v2Inet(src: number[], dst: number[], sport: number, dport: number): Buffer {
  const block = Buffer.alloc(12);
  Buffer.from(src).copy(block, 0);
  Buffer.from(dst).copy(block, 4);
  block.writeUInt16BE(sport, 8);
  block.writeUInt16BE(dport, 10);
  return v2(1, 0x11, block);
}

describe('parseProxyHeader', () => {
  test('v1 TCP4, TCP6 and UNKNOWN', () => {
    const line = 'PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n';
    expect(parseProxyHeader(Buffer.from(line + 'GET /'))).toEqual({
      length: line.length,
      source: { family: 4, address: '192.0.2.7', port: 56324 },
      destination: { family: 4, address: '198.51.100.1', port: 443 },
    });
    expect(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::1 ::1 1 65535\r\n'))?.source).toEqual({ family: 6, address: '2001:db8::1', port: 1 });
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN whatever\r\n'))).toEqual({ length: 24 });
  });

  test('v2 PROXY over IPv4 and IPv6, LOCAL, and TLVs after the addresses', () => {
    const inet = v2Inet([203, 0, 113, 9], [10, 0, 0, 1], 40000, 6379);
    expect(parseProxyHeader(Buffer.concat([inet, Buffer.from('PING')]))).toEqual({
      length: inet.length,
      source: { family: 4, address: '203.0.113.9', port: 40000 },
      destination: { family: 4, address: '10.0.0.1', port: 6379 },
    });
    const block6 = Buffer.alloc(36 + 7); // 7 bytes of TLVs the parser skips
    Buffer.from('20010db8000000000000000000000001', 'hex').copy(block6, 0);
    Buffer.from('fe800000000000000000000000000002', 'hex').copy(block6, 16);
    block6.writeUInt16BE(1234, 32);
    block6.writeUInt16BE(80, 34);
    const inet6 = v2(1, 0x21, block6);
    expect(parseProxyHeader(inet6)).toEqual({
      length: inet6.length,
      source: { family: 6, address: '2001:db8::1', port: 1234 },
      destination: { family: 6, address: 'fe80::2', port: 80 },
    });
    expect(parseProxyHeader(v2(0, 0x11, Buffer.alloc(12)))).toEqual({ length: 28 });
  });

  test('any prefix of a header asks for more bytes', () => {
    for (const header of [Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n'), v2Inet([1, 2, 3, 4], [5, 6, 7, 8], 1, 2)]) {
      for (let n = 0; n < header.length; n++) expect(parseProxyHeader(header.subarray(0, n))).toBeUndefined();
      expect(parseProxyHeader(header)?.length).toBe(header.length);
    }
  });

  test.each([
    ['no header', 'GET / HTTP/1.1\r\n'],
    ['a v1 line without CRLF in 107 bytes', `PROXY TCP4 ${'1'.repeat(120)}`],
    ['a bad protocol', 'PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n'],
    ['a bad address', 'PROXY TCP4 1.2.3.999 5.6.7.8 1 2\r\n'],
    ['an IPv6 address in TCP4', 'PROXY TCP4 ::1 5.6.7.8 1 2\r\n'],
    ['a port out of range', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n'],
    ['a signed port', 'PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n'],
    ['missing fields', 'PROXY TCP4 1.2.3.4\r\n'],
  ])('%s is refused', (_what, text) => {
    expect(() => parseProxyHeader(Buffer.from(text))).toThrow(ProxyProtocolError);
  });

  test('binary headers with a bad version, command, family or length are refused', () => {
    const good = v2Inet([1, 2, 3, 4], [5, 6, 7, 8], 1, 2);
    const version = Buffer.from(good);
    version[12] = 0x31;
    const command = Buffer.from(good);
    command[12] = 0x2f;
    const family = Buffer.from(good);
    family[13] = 0x41;
    for (const bad of [version, command, family, v2(1, 0x11, Buffer.alloc(4))]) expect(() => parseProxyHeader(bad)).toThrow(ProxyProtocolError);
  });
});

describe('a listener with ?proxyprotocol=true', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    sockets.forEach((s) => s.destroy());
    sockets.length = 0;
    await server?.stop();
    server = undefined;
  });

  async function start(options = {}): Promise<{ port: number; opened: string[]; errors: Error[] }> {
    const opened: string[] = [];
    const errors: Error[] = [];
    server = await serve(
      {
        opened: (conn: Conn) => void opened.push(`${conn.remoteAddr} -> ${conn.localAddr}`),
        react: (_conn, data) => data,
        error: (err) => void errors.push(err),
      },
      'tcp://127.0.0.1:0?proxyprotocol=true',
      options,
    );
    return { port: server.addrs[0].port, opened, errors };
  }

  function client(port: number): { socket: Socket; received: () => string } {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    sockets.push(socket);
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    return { socket, received: () => got };
  }

  test('a v1 header split over writes names the client; the bytes after it are echoed', async () => {
    const { port, opened } = await start();
    const c = client(port);
    c.socket.write('PROXY TCP4 192.0.2.7 198.51.');
    await delay(50);
    expect(opened).toEqual([]); // opened waits for the whole header
    c.socket.write('100.1 56324 443\r\nhello');
    await eventually(() => c.received() === 'hello');
    expect(opened).toEqual(['tcp://192.0.2.7:56324 -> tcp://198.51.100.1:443']);
  });

  test('a v2 header with data in the same packet', async () => {
    const { port, opened } = await start();
    const c = client(port);
    c.socket.write(Buffer.concat([v2Inet([203, 0, 113, 9], [10, 0, 0, 1], 40000, 6379), Buffer.from('PING\r\n')]));
    await eventually(() => c.received() === 'PING\r\n');
    expect(opened).toEqual(['tcp://203.0.113.9:40000 -> tcp://10.0.0.1:6379']);
  });

  test('a malformed header closes that connection only, with a ProxyProtocolError', async () => {
    const { port, errors } = await start();
    const bad = client(port);
    const good = client(port);
    bad.socket.write('GET / HTTP/1.1\r\n\r\n');
    await new Promise((resolve) => bad.socket.on('close', resolve));
    expect(bad.received()).toBe('');
    expect(errors.map((e) => e.name)).toEqual(['ProxyProtocolError']);
    good.socket.write('PROXY UNKNOWN\r\nstill served');
    await eventually(() => good.received() === 'still served');
  });

  test('an untrusted peer is served as sent: its header is data and its own address stands', async () => {
    const { port, opened } = await start({ proxyTrusted: ['10.0.0.0/8'] });
    const c = client(port);
    c.socket.write('PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n');
    await eventually(() => c.received() === 'PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n');
    expect(opened[0]).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+ -> tcp:\/\/127\.0\.0\.1:\d+$/);
  });

  test('proxyTrusted entries are checked', async () => {
    await expect(serve({}, 'tcp://127.0.0.1:0?proxyprotocol=true', { proxyTrusted: ['10.0.0.0/40'] })).rejects.toMatchObject({ code: 'ERR_NEVIO_OPTIONS' });
    await expect(serve({}, 'tcp://127.0.0.1:0?proxyprotocol=maybe')).rejects.toMatchObject({ code: 'ERR_NEVIO_ADDRESS' });
  });
});

describe('behind HAProxy (send-proxy, send-proxy-v2)', () => {
  test.each(['send-proxy', 'send-proxy-v2'])('%s: conn.remoteAddr is the client HAProxy accepted', async (mode) => {
    const { spawn } = await import('node:child_process');
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createServer } = await import('node:net');
    const seen: string[] = [];
    const server = await serve({ opened: (conn) => void seen.push(String(conn.remoteAddr)), react: (_c, d) => d }, 'tcp://127.0.0.1:0?proxyprotocol=true');
    // A free port for HAProxy's frontend.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const front = (probe.address() as import('node:net').AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const dir = mkdtempSync(join(tmpdir(), 'nevio-haproxy-'));
    const config = join(dir, 'haproxy.cfg');
    writeFileSync(
      config,
      [
        'defaults', '  mode tcp', '  timeout connect 5s', '  timeout client 30s', '  timeout server 30s',
        'frontend f', `  bind 127.0.0.1:${front}`, '  default_backend b',
        'backend b', `  server nevio 127.0.0.1:${server.addrs[0].port} ${mode}`, '',
      ].join('\n'),
    );
    const haproxy = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    haproxy.stderr!.on('data', (d) => (stderr += d));
    try {
      let socket: Socket | undefined;
      await eventually(async () => {
        socket?.destroy();
        socket = connect(front, '127.0.0.1');
        socket.on('error', () => undefined);
        return new Promise<boolean>((resolve) => {
          socket!.once('connect', () => resolve(true));
          socket!.once('error', () => resolve(false));
        });
      }, 10_000);
      let got = '';
      socket!.on('data', (d: Buffer) => (got += d.toString()));
      socket!.write('through haproxy');
      await eventually(() => got === 'through haproxy', 10_000);
      // Without the header nevio would see HAProxy's own outgoing port, not the client's.
      expect(seen).toEqual([`tcp://127.0.0.1:${socket!.localPort}`]);
      socket!.destroy();
    } catch (error) {
      throw new Error(`${(error as Error).message}; haproxy said: ${stderr}`);
    } finally {
      haproxy.kill('SIGTERM');
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
