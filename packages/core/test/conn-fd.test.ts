// conn.fd is the accepted socket itself: the descriptor's inode is the one the kernel lists for
// this connection's ports in /proc/net/tcp (the server and the client share this process).
import * as fs from 'node:fs';
import { serve } from '@nevio/core';
import type { Conn } from '@nevio/core';
import { Client, eventually } from './helpers';

/** The socket inode /proc/net/tcp gives the IPv4 connection from localPort to remotePort. */
function tcpInode(localPort: number, remotePort: number): number | undefined {
  const hex = (port: number): string => port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && f[1].endsWith(`:${hex(localPort)}`) && f[2].endsWith(`:${hex(remotePort)}`)) return Number(f[9]);
  }
  return undefined;
}

test('conn.fd is the socket of that connection while open, -1 once closed unless read before', async () => {
  const conns: Conn[] = [];
  const fds: number[] = [];
  const server = await serve(
    {
      opened: (conn) => {
        conns.push(conn);
        // The first connection's descriptor is read while open; the second's only after its close.
        if (conns.length === 1) fds.push(conn.fd);
        return 'hi\n';
      },
    },
    'tcp://127.0.0.1:0',
  );
  const port = server.addrs[0].port;
  const a = new Client(port);
  await a.waitFor(3);
  expect(fds[0]).toBeGreaterThan(2);
  expect(fs.fstatSync(fds[0]).isSocket()).toBe(true);
  expect(fs.fstatSync(fds[0]).ino).toBe(tcpInode(port, a.socket.localPort!));
  const b = new Client(port);
  await b.waitFor(3);
  b.end();
  a.end();
  await eventually(() => conns.every((c) => c.closed));
  expect(conns[0].fd).toBe(fds[0]);
  expect(conns[1].fd).toBe(-1);
  await server.stop();
});
