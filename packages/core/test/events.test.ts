
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { Action, serve } from '@nevio/core';
import type { Conn, Server } from '@nevio/core';
import { Client, delay, eventually, sha256 } from './helpers';

describe('events', () => {
  test('serving, opened, react, closed and shutdown run in order, with addresses', async () => {
    const log: string[] = [];
    let remote = '';
    let local = '';
    const server = await serve(
      {
        serving: (s) => void log.push(`serving ${s.addrs.length}`),
        opened: (conn) => {
          remote = conn.remoteAddr.toString();
          local = conn.localAddr.toString();
          log.push('opened');
          return 'welcome\n';
        },
        react: (_conn, data) => {
          log.push(`react ${data.toString()}`);
          return data;
        },
        closed: (_conn, err) => void log.push(`closed ${err ? err.message : 'clean'}`),
        shutdown: () => void log.push('shutdown'),
      },
      'tcp://127.0.0.1:0',
    );
    const c = new Client(server.addrs[0].port);
    await c.waitFor('welcome\n'.length);
    c.write('ping');
    await c.waitFor('welcome\nping'.length);
    const clientPort = c.socket.localPort;
    c.end();
    await c.closed;
    await eventually(() => log.includes('closed clean'));
    await server.stop();
    expect(log).toEqual(['serving 1', 'opened', 'react ping', 'closed clean', 'shutdown']);
    expect(remote).toBe(`tcp://127.0.0.1:${clientPort}`);
    expect(local).toBe(server.addrs[0].toString());
  });

  test('opened can close at once after its greeting', async () => {
    const server = await serve({ opened: () => ({ out: 'bye\n', action: Action.Close }) }, 'tcp://127.0.0.1:0');
    const c = new Client(server.addrs[0].port);
    await c.closed;
    expect(c.received.toString()).toBe('bye\n');
    await server.stop();
  });

  test('Action.Close from react writes the reply first', async () => {
    const server = await serve({ react: () => ({ out: 'last words', action: Action.Close }) }, 'tcp://127.0.0.1:0');
    const c = new Client(server.addrs[0].port);
    c.write('x');
    await c.closed;
    expect(c.received.toString()).toBe('last words');
    await server.stop();
  });

  test('Action.Shutdown stops the server', async () => {
    const server = await serve({ react: () => Action.Shutdown }, 'tcp://127.0.0.1:0');
    const c = new Client(server.addrs[0].port);
    c.write('stop');
    await server.done;
    await c.closed;
    expect(server.countConnections()).toBe(0);
  });

  test('several writes in one react arrive in order, coalesced after the batch', async () => {
    const server = await serve(
      {
        react: (conn, data) => {
          for (let i = 0; i < 100; i++) conn.write(`${i},`);
          conn.write(data);
          conn.write(Buffer.from('!'));
        },
      },
      'tcp://127.0.0.1:0',
    );
    const expected = `${Array.from({ length: 100 }, (_, i) => `${i},`).join('')}go!`;
    const c = new Client(server.addrs[0].port);
    c.write('go');
    expect((await c.waitFor(expected.length)).toString()).toBe(expected);
    c.end();
    await server.stop();
  });

  test('the ticker runs right after serving and then after each returned delay', async () => {
    const times: number[] = [];
    let servedAt = 0;
    const server = await serve(
      {
        serving: () => {
          servedAt = Date.now();
        },
        tick: () => {
          times.push(Date.now());
          return times.length < 4 ? 50 : undefined;
        },
      },
      'tcp://127.0.0.1:0',
    );
    await eventually(() => times.length === 4);
    await delay(120);
    expect(times.length).toBe(4);
    expect(times[0] - servedAt).toBeLessThan(20);
    for (let i = 1; i < 4; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(45);
    await server.stop();
  });

  test('tick can shut the server down', async () => {
    const server = await serve({ tick: () => ({ delay: 10, action: Action.Shutdown }) }, 'tcp://127.0.0.1:0');
    await server.done;
    expect(server.countConnections()).toBe(0);
  });

  test('preWrite runs once per connection with output, before it is written', async () => {
    const seen: number[] = [];
    const server = await serve(
      {
        react: (conn, data) => {
          conn.write(data);
          conn.write(data);
        },
        preWrite: (conn) => void seen.push(conn.id),
      },
      'tcp://127.0.0.1:0',
    );
    const c = new Client(server.addrs[0].port);
    c.write('ab');
    await c.waitFor(4);
    expect(seen.length).toBe(1);
    c.end();
    await server.stop();
  });

  test('asyncWrite after an await, with its callback', async () => {
    const server = await serve(
      {
        react: (conn, data) => {
          const copy = Buffer.from(data);
          void (async () => {
            await delay(20);
            conn.asyncWrite(Buffer.concat([Buffer.from('later:'), copy]), (err) => {
              if (!err) conn.write('|done');
            });
          })();
        },
      },
      'tcp://127.0.0.1:0',
    );
    const c = new Client(server.addrs[0].port);
    c.write('x');
    expect((await c.waitFor('later:x|done'.length)).toString()).toBe('later:x|done');
    c.end();
    await server.stop();
  });

  test('asyncWrite on a closed connection reports an error', async () => {
    let conn!: Conn;
    const server = await serve({ opened: (c) => void (conn = c) }, 'tcp://127.0.0.1:0');
    const c = new Client(server.addrs[0].port);
    await eventually(() => conn !== undefined);
    c.end();
    await eventually(() => conn.closed);
    const err = await new Promise<Error | undefined>((resolve) => conn.asyncWrite('x', resolve));
    expect(err?.name).toBe('ClosedError');
    expect(conn.write('x')).toBe(false);
    await server.stop();
  });

  test('wake calls react again with the unconsumed input and no new data', async () => {
    const calls: string[] = [];
    const server = await serve(
      {
        react: (conn, data) => {
          calls.push(data.toString());
          if (calls.length === 1) {
            conn.discard(2); // keep the rest
            setTimeout(() => conn.wake(), 10);
            return;
          }
          return `woken with ${data.toString()}`;
        },
      },
      'tcp://127.0.0.1:0',
    );
    const c = new Client(server.addrs[0].port);
    c.write('abcdef');
    expect((await c.waitFor('woken with cdef'.length)).toString()).toBe('woken with cdef');
    expect(calls).toEqual(['abcdef', 'cdef']);
    c.end();
    await server.stop();
  });

  test('a framing handler keeps partial frames across reads', async () => {
    // Frames are "<length>:<bytes>"; they arrive split at every byte.
    const server = await serve(
      {
        react: (conn) => {
          for (;;) {
            const head = conn.peek();
            const colon = head.indexOf(58);
            if (colon < 0) return;
            const length = Number(head.subarray(0, colon).toString());
            if (head.length < colon + 1 + length) return;
            conn.discard(colon + 1);
            conn.write(Buffer.concat([Buffer.from('['), conn.next(length), Buffer.from(']')]));
          }
        },
      },
      'tcp://127.0.0.1:0',
    );
    const c = new Client(server.addrs[0].port);
    await c.ready();
    const stream = Buffer.from('5:hello3:abc11:hello world');
    for (const byte of stream) {
      c.write(Buffer.from([byte]));
      await delay(1);
    }
    expect((await c.waitFor('[hello][abc][hello world]'.length)).toString()).toBe('[hello][abc][hello world]');
    c.end();
    await server.stop();
  });

  test('Action.Detach hands over a net.Socket with unread input and pending output', async () => {
    let detached: Socket | undefined;
    const server = await serve(
      {
        react: (conn) => {
          conn.next(4); // "HEAD" consumed, the rest stays for the socket
          conn.write('detaching:');
          return Action.Detach;
        },
        detached: (_conn, socket) => {
          detached = socket;
          let first = true;
          socket.on('data', (d) => {
            socket.write(first ? `node got ${d.toString()}` : d);
            first = false;
          });
        },
      },
      'tcp://127.0.0.1:0',
    );
    const c = new Client(server.addrs[0].port);
    c.write('HEADrest');
    expect((await c.waitFor('detaching:node got rest'.length)).toString()).toBe('detaching:node got rest');
    expect(server.countConnections()).toBe(0);
    c.write('more');
    await c.waitFor('detaching:node got restmore'.length);
    c.end();
    detached!.end();
    await c.closed;
    await server.stop();
  });

  test('allowHalfOpen: after the peer FIN, end fires and late output still arrives', async () => {
    const log: string[] = [];
    const server = await serve(
      {
        react: (conn, data) => {
          const copy = Buffer.from(data);
          setTimeout(() => conn.write(Buffer.concat([Buffer.from('late:'), copy])), 100);
        },
        end: (conn) => {
          log.push('end');
          setTimeout(() => conn.close(), 200);
        },
        closed: () => void log.push('closed'),
      },
      'tcp://127.0.0.1:0',
      { allowHalfOpen: true },
    );
    const c = new Client(server.addrs[0].port);
    await c.ready();
    c.socket.end('question');
    await c.closed;
    expect(c.received.toString()).toBe('late:question');
    await eventually(() => log.length === 2);
    expect(log).toEqual(['end', 'closed']);
    await server.stop();
  });

  test('without allowHalfOpen, the peer FIN closes once pending output is written', async () => {
    let late = true;
    const server = await serve(
      {
        react: (conn) => {
          setTimeout(() => (late = conn.write('too late')), 100);
        },
      },
      'tcp://127.0.0.1:0',
    );
    const c = new Client(server.addrs[0].port);
    await c.ready();
    c.socket.end('question');
    await c.closed;
    await delay(150);
    expect(c.received.length).toBe(0);
    expect(late).toBe(false);
    await server.stop();
  });

  test('drained fires once pending output falls back to the low watermark', async () => {
    const big = Buffer.alloc(32 * 1024 * 1024, 'y');
    const drainedAt: number[] = [];
    let conn!: Conn;
    const server = await serve(
      {
        opened: (c) => void (conn = c),
        react: (c) => void c.write(big),
        drained: (c) => void drainedAt.push(c.outboundBuffered),
      },
      'tcp://127.0.0.1:0',
      { writeHighWatermark: 1 << 20, writeLowWatermark: 256 * 1024 },
    );
    const c = new Client(server.addrs[0].port);
    c.socket.pause();
    c.write('go');
    await eventually(() => conn !== undefined && conn.outboundBuffered > 1 << 20);
    await delay(100);
    expect(drainedAt).toEqual([]);
    c.socket.resume();
    await c.waitFor(big.length);
    expect(drainedAt).toHaveLength(1);
    expect(drainedAt[0]).toBeLessThanOrEqual(256 * 1024);
    c.end();
    await server.stop();
  });

  test('pause() stops reading one connection until resume()', async () => {
    const seen: string[] = [];
    const server = await serve(
      {
        react: (conn, data) => {
          seen.push(data.toString());
          if (data.toString() === 'hold') {
            conn.pause();
            setTimeout(() => conn.resume(), 300);
          }
          return data;
        },
      },
      'tcp://127.0.0.1:0',
    );
    const c = new Client(server.addrs[0].port);
    c.write('hold');
    await c.waitFor(4);
    c.write('next');
    await delay(150);
    expect(seen).toEqual(['hold']);
    expect((await c.waitFor(8)).toString()).toBe('holdnext');
    expect(seen).toEqual(['hold', 'next']);
    c.end();
    await server.stop();
  });
});

describe('failures', () => {
  test('a handler that throws closes only its connection and is reported', async () => {
    const errors: Error[] = [];
    const closed: (Error | undefined)[] = [];
    const server = await serve(
      {
        react: (_conn, data) => {
          if (data.toString() === 'boom') throw new Error('kaboom');
          return data;
        },
        error: (err) => void errors.push(err),
        closed: (_c, err) => void closed.push(err),
      },
      'tcp://127.0.0.1:0',
    );
    const good = new Client(server.addrs[0].port);
    const bad = new Client(server.addrs[0].port);
    bad.write('boom');
    await bad.closed;
    good.write('fine');
    expect((await good.waitFor(4)).toString()).toBe('fine');
    expect(errors).toHaveLength(1);
    expect(errors[0].name).toBe('HandlerError');
    expect((errors[0] as Error & { code: string }).code).toBe('ERR_NEVIO_HANDLER');
    expect((errors[0].cause as Error).message).toBe('kaboom');
    expect(closed[0]).toBe(errors[0]);
    good.end();
    await server.stop();
  });

  test('returning or writing something that is not bytes is a handler error, not a crash', async () => {
    const errors: Error[] = [];
    const server = await serve(
      {
        react: (conn, data) => {
          if (data.toString() === 'return') return { out: 42 as unknown as string };
          conn.write({} as unknown as string);
        },
        error: (err) => void errors.push(err),
      },
      'tcp://127.0.0.1:0',
    );
    for (const what of ['return', 'write']) {
      const c = new Client(server.addrs[0].port);
      c.write(what);
      await c.closed;
    }
    expect(errors.map((e) => (e.cause as Error).message)).toEqual([
      'conn.write takes a string or a Uint8Array, not number',
      'conn.write takes a string or a Uint8Array, not object',
    ]);
    await server.stop();
  });

  test('without an error handler, errors go to the logger', async () => {
    const logged: string[] = [];
    const logger = { error: (m: string) => void logged.push(m), warn: () => {} };
    const server = await serve({ opened: () => { throw new Error('nope'); } }, 'tcp://127.0.0.1:0', { logger });
    const c = new Client(server.addrs[0].port);
    await c.closed;
    expect(logged.join('\n')).toContain('the opened handler threw: nope');
    await server.stop();
  });

  test.each([
    ['foo://127.0.0.1:1', 'ERR_NEVIO_ADDRESS', /unknown scheme/],
    ['tcp://127.0.0.1', 'ERR_NEVIO_ADDRESS', /missing port/],
    ['tcp://127.0.0.1:99999', 'ERR_NEVIO_ADDRESS', /invalid port/],
    ['tcp://::1:80', 'ERR_NEVIO_ADDRESS', /brackets/],
    ['unix://', 'ERR_NEVIO_ADDRESS', /missing unix socket path/],
    ['tcp4://[::1]:0', 'ERR_NEVIO_ADDRESS', /not an IPv4 address/],
    ['unix:///nonexistent-dir-nevio/x.sock', 'ENOENT', /bind ENOENT unix:\/\/\/nonexistent-dir-nevio\/x.sock/],
  ])('serve(%s) rejects with %s', async (addr, code, message) => {
    await expect(serve({}, addr)).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  });

  test('a port in use rejects with EADDRINUSE naming the address', async () => {
    const first = await serve({}, 'tcp://127.0.0.1:0');
    const addr = `tcp://127.0.0.1:${first.addrs[0].port}`;
    const err = await serve({}, addr).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SystemCallError', code: 'EADDRINUSE', syscall: 'bind', address: addr });
    await first.stop();
  });

  test('a client that never reads cannot grow the server without bound', async () => {
    let conn!: Conn;
    let maxPending = 0;
    const high = 1 << 20;
    const server = await serve(
      {
        opened: (c) => void (conn = c),
        react: (c, data) => {
          maxPending = Math.max(maxPending, c.outboundBuffered);
          return data;
        },
      },
      'tcp://127.0.0.1:0',
      { writeHighWatermark: high, writeLowWatermark: high / 4 },
    );
    const c = new Client(server.addrs[0].port);
    c.socket.pause(); // never read
    const chunk = randomBytes(64 * 1024);
    const rssBefore = process.memoryUsage().rss;
    // Offer up to 256 MiB; the client's own buffer fills up once the server stops reading.
    let offered = 0;
    while (offered < 256 * 1024 * 1024 && c.socket.writableLength < 16 * 1024 * 1024) {
      c.socket.write(chunk);
      offered += chunk.length;
      if (offered % (8 * 1024 * 1024) === 0) await delay(5);
    }
    await delay(500);
    const pending = conn.outboundBuffered;
    expect(pending).toBeGreaterThan(0);
    expect(pending).toBeLessThanOrEqual(high + 64 * 1024);
    expect(maxPending).toBeLessThanOrEqual(high + 64 * 1024);
    expect(c.socket.writableLength).toBeGreaterThan(8 * 1024 * 1024); // backpressure reached the client
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    // Once the client reads, everything flows again and arrives intact.
    const total = offered;
    c.socket.resume();
    await c.waitFor(total, 60_000);
    expect(c.received.length).toBe(total);
    c.socket.destroy();
    await server.stop();
  });

  test('stop() writes every pending byte before closing', async () => {
    const big = randomBytes(8 * 1024 * 1024);
    const server: Server = await serve({ react: (conn) => void conn.write(big) }, 'tcp://127.0.0.1:0');
    const clients = Array.from({ length: 5 }, () => new Client(server.addrs[0].port));
    clients.forEach((c) => c.socket.pause());
    clients.forEach((c) => c.write('go'));
    await delay(200);
    const stopped = server.stop();
    clients.forEach((c) => c.socket.resume());
    await stopped;
    await Promise.all(clients.map((c) => c.closed));
    for (const c of clients) expect(sha256(c.received)).toBe(sha256(big));
  });

  test('stop() gives up on peers that never read after stopTimeout', async () => {
    const big = randomBytes(32 * 1024 * 1024);
    const server = await serve({ react: (conn) => void conn.write(big) }, 'tcp://127.0.0.1:0', { stopTimeout: 300 });
    const c = new Client(server.addrs[0].port);
    c.socket.pause();
    c.write('go');
    await delay(100);
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(3000);
    c.socket.destroy();
  });
});

