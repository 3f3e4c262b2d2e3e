import { postClose, postWake, postWrite } from '@nevio/native';
import type { ConnHandle, Output } from './types';

/**
 * Writes to a connection from any thread — a worker-thread pool job, another loop — by its
 * {@link Conn.handle}. The bytes are copied and queued; the owning loop writes them on its next
 * round. Returns false if that loop is gone (the connection may also have closed since, in which
 * case the bytes are dropped).
 */
export function remoteWrite(handle: ConnHandle, data: Output): boolean {
  return postWrite(handle.reactor, handle.id, typeof data === 'string' ? Buffer.from(data) : data);
}

/** Makes the owning loop run `react` again for the connection, from any thread. */
export function remoteWake(handle: ConnHandle): boolean {
  return postWake(handle.reactor, handle.id);
}

/** Closes the connection after its pending output, from any thread. */
export function remoteClose(handle: ConnHandle): boolean {
  return postClose(handle.reactor, handle.id);
}
