// A client that holds a server's graceful stop up, for the commands' signal tests: what it asks
// for is answered into a connection it never reads.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Connects to 127.0.0.1:`port`, then writes `chunk` (requests whose answers are at least as
 * large) again and again and never reads, until the server stops reading from it: what it wrote
 * then stays in its own buffer for half a second. A nevio server only stops reading when its
 * output to the client is past the write high watermark, so its `stop()` now waits for output
 * that never leaves (up to `stopTimeout`).
 */
export async function stallingPeer(port: number, chunk: Buffer): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.pause();
  // The server exiting with this client's answers unsent resets the connection.
  socket.on('error', () => undefined);
  for (let written = 0; written < 1 << 30; ) {
    while (socket.writableLength < 4 * chunk.length) {
      socket.write(chunk);
      written += chunk.length;
    }
    const before = socket.writableLength;
    await sleep(500);
    if (socket.writableLength === before) return socket;
  }
  socket.destroy();
  throw new Error('the server kept reading 1 GiB from a client that never reads');
}
