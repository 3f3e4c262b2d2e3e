/**
 * Runs commands through a RedisServer without sockets: bytes in, reply bytes out, with the
 * reactor's contract emulated (unconsumed input is presented again with the next bytes).
 */
import type { Conn } from '@nevio/core';
import type { Client } from '../../src/client';
import { defaultConfig, type Config } from '../../src/config';
import { RedisServer } from '../../src/server';

export interface FakeClient {
  client: Client;
  /** Feeds bytes and returns everything written back since the last call (latin1). */
  send(bytes: string | Buffer): string;
  closed(): boolean;
}

export const quietLog = { warn: () => {}, error: () => {} };

export function inprocServer(config: Partial<Config> = {}): { server: RedisServer; connect(): FakeClient } {
  const server = new RedisServer({ ...defaultConfig(), ...config }, quietLog);
  let nextId = 1;
  return {
    server,
    connect(): FakeClient {
      const out: Buffer[] = [];
      let pending = Buffer.alloc(0);
      let closed = false;
      const addr = { network: 'tcp', address: '127.0.0.1', port: 40000 + nextId, toString: () => '' };
      const conn = {
        id: nextId++,
        write: (b: Uint8Array | string) => out.push(Buffer.from(b as Uint8Array)),
        wake: () => {},
        close: () => (closed = true),
        get closed() {
          return closed;
        },
        localAddr: addr,
        remoteAddr: addr,
        inboundBuffered: 0,
        outboundBuffered: 0,
      } as unknown as Conn<Client>;
      const client = server.newClient(conn);
      return {
        client,
        send(bytes) {
          const data = Buffer.concat([pending, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1')]);
          server.updateTime();
          const used = server.processInput(client, data);
          pending = Buffer.from(data.subarray(used));
          server.flush();
          if (client.closing) closed = true;
          const s = Buffer.concat(out).toString('latin1');
          out.length = 0;
          return s;
        },
        closed: () => closed,
      };
    },
  };
}

/** Encodes a command as a RESP multibulk. */
export function resp(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a, 'latin1');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}
