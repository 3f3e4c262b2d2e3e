// Closing while the peer still sends: every byte of output owed for input the handlers were
// given must arrive, and no peer may see a reset before it has it. Closing a socket that has
// unread input makes the kernel answer with RST, which throws away whatever output is still in
// flight; so a closing connection stops presenting input, writes what it owes, sends FIN, and
// keeps reading (and dropping) until the peer's FIN.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { Action, serve } from '@nevio/core';
import { eventually } from './helpers';

const CHUNK = Buffer.alloc(64 * 1024, 'nevio stop test ');
const EACH = 8 * 1024 * 1024;

/** A peer that sends up to EACH bytes as fast as the server takes them, until it sees EOF. */
class Peer {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  port = 0;
  sent = 0;
  received = 0;
  eof = false;
  error: string | undefined;

  constructor(serverPort: number) {
    this.socket = connect({ port: serverPort, host: '127.0.0.1' });
    this.socket.once('connect', () => {
      this.port = this.socket.localPort!;
      this.pump();
    });
    this.socket.on('data', (chunk: Buffer) => (this.received += chunk.length));
    // Without allowHalfOpen, Node ends our side once the server's FIN arrives.
    this.socket.on('end', () => (this.eof = true));
    this.socket.on('error', (error: NodeJS.ErrnoException) => (this.error ??= error.code));
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  get stillSending(): boolean {
    return !this.eof && this.sent < EACH;
  }

  private pump(): void {
    while (this.stillSending && !this.socket.destroyed) {
      this.sent += CHUNK.length;
      if (!this.socket.write(CHUNK)) {
        this.socket.once('drain', () => this.pump());
        return;
      }
    }
    if (this.sent >= EACH && !this.eof && !this.socket.destroyed) this.socket.end();
  }
}

/** What the peers saw against what the server echoed, per connection. */
function account(peers: Peer[], echoed: Record<number, number>) {
  let lost = 0;
  let extra = 0;
  for (const p of peers) {
    const owed = echoed[p.port] ?? 0;
    lost += Math.max(0, owed - p.received);
    extra += Math.max(0, p.received - owed);
  }
  const resets = peers.filter((p) => p.error === 'ECONNRESET').length;
  const errors = peers.filter((p) => p.error !== undefined).length;
  const withoutEof = peers.filter((p) => !p.eof).length;
  return { lost, extra, resets, errors, withoutEof };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('closing under load', () => {
  test('SIGTERM with 500 peers still sending 8 MiB each: every echoed byte arrives, no resets', async () => {
    const connections = 500;
    // About 512 KiB echoed per connection on average before the stop: traffic on every
    // connection, and each is still far from its 8 MiB.
    const stopAfter = connections * 512 * 1024;
    const child = spawn(process.execPath, [join(__dirname, 'fixtures', 'stop-server.js'), JSON.stringify({ stopTimeout: 60_000 })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await eventually(() => out.includes('\n'), 30_000);
      const port = Number(out.split('\n')[0]);
      const peers = Array.from({ length: connections }, () => new Peer(port));
      await eventually(
        () => peers.every((p) => p.received > 0) && peers.reduce((sum, p) => sum + p.received, 0) >= stopAfter,
        60_000,
      );
      const stillSending = peers.filter((p) => p.stillSending).length;
      child.kill('SIGTERM');
      expect(await within(exited, 70_000, 'the stop')).toBe(0);
      await within(Promise.all(peers.map((p) => p.closed)), 30_000, 'closing the peers');
      const report = JSON.parse(out.split('\n')[1]) as {
        echoed: Record<number, number>;
        presentedAfterStop: number;
        closeErrors: Record<string, number>;
      };
      const echoedTotal = Object.values(report.echoed).reduce((a, b) => a + b, 0);
      // The scenario itself: peers were writing when the server stopped.
      expect(stillSending).toBeGreaterThanOrEqual(connections * 0.9);
      expect(echoedTotal).toBeGreaterThanOrEqual(stopAfter);
      expect({ ...account(peers, report.echoed), presentedAfterStop: report.presentedAfterStop, closeErrors: report.closeErrors }).toEqual({
        lost: 0,
        extra: 0,
        resets: 0,
        errors: 0,
        withoutEof: 0,
        presentedAfterStop: 0,
        closeErrors: {},
      });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 240_000);

  test('Action.Close while the peer still sends: the last output arrives, then EOF, no reset', async () => {
    const connections = 20;
    const echoed: Record<number, number> = {};
    const server = await serve(
      {
        react: (conn, data) => {
          const port = conn.remoteAddr.port;
          echoed[port] = (echoed[port] ?? 0) + data.length;
          // After 1 MiB, answer and close, while the peer has megabytes more on the way.
          return echoed[port] >= 1024 * 1024 ? { out: data, action: Action.Close } : data;
        },
      },
      'tcp://127.0.0.1:0',
    );
    try {
      const peers = Array.from({ length: connections }, () => new Peer(server.addrs[0].port));
      await within(Promise.all(peers.map((p) => p.closed)), 60_000, 'the closes');
      expect(peers.every((p) => p.sent > (echoed[p.port] ?? 0))).toBe(true);
      expect(account(peers, echoed)).toEqual({ lost: 0, extra: 0, resets: 0, errors: 0, withoutEof: 0 });
    } finally {
      await server.stop();
    }
  }, 120_000);

  test('a peer that never sends FIN is closed after lingerTimeout, and stop waits for it', async () => {
    const lingerTimeout = 500;
    const closed: string[] = [];
    const server = await serve(
      {
        react: () => ({ out: 'bye', action: Action.Close }),
        closed: (_conn, err) => void closed.push(err?.message ?? 'clean'),
      },
      'tcp://127.0.0.1:0',
      { lingerTimeout, stopTimeout: 30_000 },
    );
    // allowHalfOpen: the peer reads our FIN and keeps its own side open, still sending now and then.
    const peer = connect({ port: server.addrs[0].port, host: '127.0.0.1', allowHalfOpen: true });
    let received = '';
    let eofAt = 0;
    let goneAt = 0;
    peer.on('data', (d: Buffer) => (received += d.toString()));
    peer.on('end', () => (eofAt = Date.now()));
    peer.on('error', () => {});
    peer.once('close', () => (goneAt = Date.now()));
    const ticker = setInterval(() => peer.writable && peer.write('still here'), 50);
    try {
      peer.write('hello');
      await eventually(() => eofAt > 0, 10_000);
      // The application is done with the connection as soon as its output is written.
      await eventually(() => closed.length === 1, 2_000);
      expect(closed).toEqual(['clean']);
      expect(received).toBe('bye');
      const stopping = Date.now();
      await within(server.stop(), 10_000, 'the stop');
      const stopTook = Date.now() - stopping;
      // The reactor held the socket (dropping input) until the linger deadline, not the stop timeout.
      expect(stopTook).toBeGreaterThanOrEqual(lingerTimeout - (stopping - eofAt) - 100);
      expect(Date.now() - eofAt).toBeGreaterThanOrEqual(lingerTimeout - 100);
      expect(Date.now() - eofAt).toBeLessThan(lingerTimeout + 5_000);
      await eventually(() => goneAt > 0, 5_000);
    } finally {
      clearInterval(ticker);
      peer.destroy();
    }
  });
});
