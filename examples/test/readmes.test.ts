// The package READMEs' samples, run against real sockets (docs.test.ts checks they are shown
// verbatim).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Listening = { port: number; stop(): Promise<void> };
const streaming = require('../http-streaming.js') as { main(addr: string): Promise<Listening> };
const staticFiles = require('../static-files.js') as { main(root: string, addr: string): Promise<Listening> };
const nativeReactor = require('../native-reactor.js') as {
  main(onRecord: (r: { kind: number; id: number; a: number; b: number }) => void): {
    reactor: { destroy(): void };
    port: number;
  };
  OPEN: number;
  DATA: number;
};

test('http-streaming.js: the body is counted as it streams in, the answer is chunked', async () => {
  const server = await streaming.main('tcp://127.0.0.1:0');
  try {
    const body = Buffer.alloc(3 * 1024 * 1024, 'b');
    const res = await fetch(`http://127.0.0.1:${server.port}/`, { method: 'POST', body });
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const lines = (await res.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(1000);
    expect(lines[999]).toBe(`line 999 of a body of ${body.length} bytes`);
  } finally {
    await server.stop();
  }
});

test('static-files.js: files, 404 and a range', async () => {
  const root = mkdtempSync(join(tmpdir(), 'nevio-static-'));
  writeFileSync(join(root, 'index.html'), '<h1>hi</h1>');
  writeFileSync(join(root, 'data.txt'), '0123456789');
  const server = await staticFiles.main(root, 'tcp://127.0.0.1:0');
  try {
    const page = await fetch(`http://127.0.0.1:${server.port}/index.html`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toBe('<h1>hi</h1>');
    expect((await fetch(`http://127.0.0.1:${server.port}/missing.txt`)).status).toBe(404);
    const part = await fetch(`http://127.0.0.1:${server.port}/data.txt`, { headers: { range: 'bytes=2-4' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('234');
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test('native-reactor.js: one batch call per round, OPEN then DATA, and the staged echo', async () => {
  const kinds: number[] = [];
  const { reactor, port } = nativeReactor.main((r) => kinds.push(r.kind));
  try {
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const echoed = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    socket.write('through the reactor');
    expect(await echoed).toBe('through the reactor');
    expect(kinds.slice(0, 2)).toEqual([nativeReactor.OPEN, nativeReactor.DATA]);
    socket.destroy();
  } finally {
    reactor.destroy();
  }
});
