// res.write/res.end with Node's signatures (encoding, callback) and the 'drain' event, over real
// sockets: a client that stops reading makes write() return false; 'drain' follows once it reads.
import { createHash } from 'node:crypto';
import { createServer, type ListeningServer, type Response } from '../src';
import { open } from './helpers';

describe('res.write(chunk, encoding, callback) and drain', () => {
  const servers: ListeningServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  test('encodings and callbacks, as Node: hex, base64, latin1 chunks; callbacks in order; end(chunk, encoding, callback)', async () => {
    const calls: string[] = [];
    let ended!: () => void;
    const endCalled = new Promise<void>((resolve) => (ended = resolve));
    const server = await createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/plain; charset=latin1');
      res.write('68656c6c6f20', 'hex', (error) => calls.push(`hex ${String(error)}`));
      res.write('d29ybGQg', 'base64', () => calls.push('base64'));
      res.write('caf\u00e9 ', 'latin1');
      res.write('utf8 \u00e9 ', () => calls.push('no encoding'));
      res.end('IQ==', 'base64', () => {
        calls.push('end');
        ended();
      });
    }).listen('tcp://127.0.0.1:0');
    servers.push(server);
    const r = await fetch(`http://127.0.0.1:${server.port}/`);
    const body = Buffer.from(await r.arrayBuffer());
    expect(body.equals(Buffer.concat([Buffer.from('hello world caf'), Buffer.from([0xe9, 0x20]), Buffer.from('utf8 \u00e9 '), Buffer.from('!')]))).toBe(true);
    await endCalled;
    await new Promise((resolve) => setImmediate(resolve));
    // 'end' is on 'finish', synchronous with end(); the write callbacks follow on the next tick.
    expect(calls).toEqual(['end', 'hex null', 'base64', 'no encoding']);
  });

  test("write() returns false for a client that does not read, then 'drain' once it does; every byte arrives", async () => {
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) % 253;
    let report!: (info: { writes: number; needDrain: boolean }) => void;
    const blocked = new Promise<{ writes: number; needDrain: boolean }>((resolve) => (report = resolve));
    const drains: number[] = [];
    const needDrainInDrain: boolean[] = [];
    const server = await createServer(
      (_req, res: Response) => {
        let writes = 0;
        const more = (): void => {
          while (writes < 64) {
            writes++;
            if (!res.write(chunk)) {
              if (drains.length === 0) report({ writes, needDrain: res.writableNeedDrain });
              return;
            }
          }
          res.end();
        };
        res.on('drain', () => {
          drains.push(writes);
          needDrainInDrain.push(res.writableNeedDrain);
          more();
        });
        more();
      },
      { writeHighWatermark: 256 * 1024, writeLowWatermark: 64 * 1024 },
    ).listen('tcp://127.0.0.1:0');
    servers.push(server);

    const socket = await open(server.port);
    socket.pause();
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const { writes, needDrain } = await blocked;
    expect(needDrain).toBe(true);
    // The kernel's buffers and the watermark hold some MiB; far fewer than 64 writes went out.
    expect(writes).toBeLessThan(64);
    expect(drains).toEqual([]);
    const hash = createHash('sha256');
    let headerDone = false;
    let pending = Buffer.alloc(0);
    const done = new Promise<void>((resolve) => socket.on('end', resolve));
    socket.on('data', (data: Buffer) => {
      if (headerDone) return void hash.update(data);
      pending = Buffer.concat([pending, data]);
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      headerDone = true;
      // Connection: close and write(): the body is chunked; the framing is stripped below.
      hash.update(pending.subarray(end + 4));
    });
    socket.resume();
    await done;
    expect(drains.length).toBeGreaterThan(0);
    expect(needDrainInDrain.every((need) => !need)).toBe(true);
    // The body as sent: 64 chunks of 1 MiB, each framed as one chunk.
    const expected = createHash('sha256');
    for (let i = 0; i < 64; i++) {
      expected.update(`100000\r\n`);
      expected.update(chunk);
      expected.update('\r\n');
    }
    expected.update('0\r\n\r\n');
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
  }, 30_000);
});
