// The load generator's TLS (--tls, the handshake mode) and the TLS and proxy peers, against
// real servers on 127.0.0.1: Node's tls and https modules, HAProxy and examples/tcp-proxy.js.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { buildDir, repoRoot } from '../src/paths';
import { onPath } from '../src/proc';
import { benchCert } from '../src/tls-cert';
import { haproxyTcp, nevioProxy, nevioTlsEcho, nodeHttps, nodeTlsEcho } from '../src/tls-peers';
import { loadgenArgs, runLoadgen, type LoadgenOutput, type LoadgenParams } from '../src/tools';
import type { Peer } from '../src/types';
import { liveServers } from './live-servers';

const live = liveServers();
const start = (peer: Peer): Promise<number> => live.start(peer.command);
const listen = live.listen;

function tlsServer(onSocket: (s: tls.TLSSocket) => void): tls.Server {
  const { cert, key } = benchCert();
  const server = tls.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (s) => {
    s.on('error', () => s.destroy());
    onSocket(s);
  });
  server.on('tlsClientError', () => {});
  return server;
}

function load(port: number, p: Partial<LoadgenParams> & { mode: LoadgenParams['mode'] }, duration = 1): Promise<LoadgenOutput> {
  const params: LoadgenParams = { conns: 8, depth: 1, tls: true, ...p };
  return runLoadgen(loadgenArgs(params, port, duration, 0.2), 20000);
}

describe('--tls', () => {
  test.each([1, 16])("node-tls peer, 64 B, depth %i: TLS 1.3 AES-128-GCM, every echo verified", async (depth) => {
    const port = await start(nodeTlsEcho);
    const out = await load(port, { mode: 'echo', size: 64, depth });
    expect(out).toMatchObject({ errors: 0, tls: 'TLS_AES_128_GCM_SHA256' });
    expect(out.messages).toBeGreaterThan(500);
  });

  test('a TLS server that corrupts one byte of each echo is caught', async () => {
    const port = await listen(
      tlsServer((s) =>
        s.on('data', (d: Buffer) => {
          d[d.length >> 1] ^= 0x20;
          s.write(d);
        }),
      ),
    );
    const out = await load(port, { mode: 'echo', size: 64 }, 0.5);
    expect(out.errors).toBeGreaterThan(50);
  });

  test('messages up to 1 MiB cross intact (records split and reassembled)', async () => {
    const port = await start(nodeTlsEcho);
    const out = await load(port, { mode: 'echo', size: 1 << 20, depth: 2, conns: 2 });
    expect(out.errors).toBe(0);
    expect(out.messages).toBeGreaterThan(5);
  });

  test('a plain server: every connection fails its handshake, no message counts', async () => {
    const port = await start({ name: 'c', description: '', unavailable: () => null, command: (p) => [path.join(buildDir, 'echo_server'), '--port', String(p)] });
    const out = await load(port, { mode: 'echo' }, 0.5);
    expect(out).toMatchObject({ errors: 8, messages: 0, tls: '' });
  });

  test('https: node-https peer, 4 pipelined', async () => {
    const port = await start(nodeHttps);
    const out = await load(port, { mode: 'http', depth: 4 }, 0.5);
    expect(out).toMatchObject({ errors: 0, tls: 'TLS_AES_128_GCM_SHA256' });
    expect(out.messages).toBeGreaterThan(100);
  });
});

describe('handshake mode', () => {
  test('counts full handshakes, each one a connection the server saw', async () => {
    let handshakes = 0;
    let resumed = 0;
    const server = tlsServer((s) => {
      handshakes++;
      if (s.isSessionReused()) resumed++;
      s.on('data', (d) => s.write(d));
    });
    const port = await listen(server);
    const out = await load(port, { mode: 'handshake', conns: 4 });
    expect(out.errors).toBe(0);
    expect(out.messages).toBeGreaterThan(20);
    // The warm-up's handshakes are the server's too, so it saw more than were measured.
    expect(handshakes).toBeGreaterThan(out.messages);
    expect(resumed).toBe(0);
  });

  test('needs --tls and depth 1', async () => {
    await expect(runLoadgen(loadgenArgs({ mode: 'handshake', conns: 1, depth: 1 }, 9, 1, 0), 3000)).rejects.toThrow(/needs --tls and --depth 1/);
    await expect(runLoadgen(loadgenArgs({ mode: 'handshake', conns: 1, depth: 2, tls: true }, 9, 1, 0), 3000)).rejects.toThrow(/exited with 2/);
  });
});

describe('peers', () => {
  const nevioBuilt = fs.existsSync(path.join(repoRoot, 'packages/echo/dist/cli.js'));
  (nevioBuilt ? test : test.skip)('nevio-tls serves TLS 1.3 AES-128-GCM echo', async () => {
    const port = await start(nevioTlsEcho);
    const out = await load(port, { mode: 'echo', depth: 16 }, 0.5);
    expect(out).toMatchObject({ errors: 0, tls: 'TLS_AES_128_GCM_SHA256' });
    expect(out.messages).toBeGreaterThan(500);
  });

  const throughProxy = async (peer: Peer): Promise<void> => {
    const port = await start(peer);
    const out = await load(port, { mode: 'echo', depth: 16, tls: false }, 0.5);
    expect(out.errors).toBe(0);
    expect(out.messages).toBeGreaterThan(500);
  };
  test('nevio-proxy forwards to its echo backend, every byte verified', () => throughProxy(nevioProxy));
  (onPath('haproxy') ? test : test.skip)('haproxy forwards to its echo backend, every byte verified', () => throughProxy(haproxyTcp));
});
