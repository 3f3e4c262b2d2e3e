/**
 * `dial`: outbound connections on the reactor. A dial runs on the loop of the calling thread: the
 * loop of the server `serve` runs there (so a handler that dials reaches its backend on its own
 * loop, with no thread hop), or, on a thread that serves nothing, a loop made for dialing that
 * keeps the process alive only while it has connections.
 *
 * @packageDocumentation
 */
import { isIP } from 'node:net';
import { AddressError, NevioError } from './errors';
import { parseAddress, resolveHost } from './address';
import type { AddressInput } from './address';
import { defaults } from './defaults';
import { chooseBackend } from './backend';
import { Loop } from './loop';
import type { DialTarget, DialTls } from './loop';
import { clientContext } from './tls';
import type { Conn, DialEvents, DialOptions, Events } from './types';

/** The loops serving on this thread, newest last: `dial` uses the newest. */
const serving: Loop[] = [];
let dialLoop: Loop | undefined;

/** A server's loop on this thread starts (or stops) being where dials go. */
export function registerServingLoop(loop: Loop): void {
  serving.push(loop);
}

export function unregisterServingLoop(loop: Loop): void {
  const i = serving.lastIndexOf(loop);
  if (i >= 0) serving.splice(i, 1);
}

function currentLoop(): Loop {
  const loop = serving[serving.length - 1];
  if (loop !== undefined) return loop;
  if (dialLoop === undefined) {
    // No server to stop it: the loop lives as long as the thread, idle and unreferenced.
    dialLoop = new Loop(0, {}, console, { backend: chooseBackend(undefined, console) }, () => undefined, () => undefined, true);
    dialLoop.reactor.start();
    dialLoop.reactor.keepProcessAlive(false);
  }
  return dialLoop;
}

async function resolveTarget(input: AddressInput): Promise<DialTarget & { host: string; tls: boolean }> {
  const addr = parseAddress(input);
  const address = addr.input;
  const tls = addr.options.tls === true;
  if (addr.network.startsWith('udp')) throw new AddressError('dial opens stream connections (tcp or unix), not udp', address);
  if (Object.keys(addr.options).some((name) => name !== 'tls')) {
    throw new AddressError('listener options (?reuseport, ?backlog...) do not apply to dial', address);
  }
  if (addr.network === 'unix') return { network: 'unix', ip: '', port: 0, path: addr.path, address, host: '', tls };
  if (addr.port === 0) throw new AddressError('dial needs a port other than 0', address);
  // An empty host is this machine, as in Go's net.Dial(":port").
  const host = addr.host !== '' ? await resolveHost(addr) : addr.network === 'tcp6' ? '::1' : '127.0.0.1';
  const network = addr.network === 'tcp' ? (isIP(host) === 6 ? 'tcp6' : 'tcp4') : addr.network;
  return { network, ip: host, port: addr.port, path: '', address, host: addr.host !== '' ? addr.host : host, tls };
}

/**
 * Opens a TCP or unix connection without blocking the loop and resolves with it once it is
 * established (after its `opened` handler ran); with `tls://` or {@link DialOptions.tls}, once
 * its TLS handshake has completed too. The connection is like an accepted one: the same
 * {@link Conn}, handlers, batching, watermarks and backpressure; {@link Conn.outbound} is true
 * and {@link Conn.listenerIndex} is -1. Host names are resolved first with `dns.lookup`.
 *
 * ```ts
 * const backend = await dial('tcp://127.0.0.1:6379', {
 *   react: (conn, data) => { console.log(data.toString()); },
 *   closed: (conn, err) => console.log('backend closed', err?.message ?? ''),
 * });
 * backend.write('PING\r\n');
 * ```
 *
 * @param addr - `tcp://host:port`, `tcp4://`, `tcp6://[::1]:port`, `tls://host:port`, `host:port`,
 *   a bare port (127.0.0.1), or `unix:///path`.
 * @param events - the connection's handlers (the dialing server's are not used for it).
 * @param options - see {@link DialOptions}.
 * @throws {@link AddressError} (rejects) for an address that cannot be parsed or resolved, and
 *   {@link DialError} when the connect fails: `ECONNREFUSED`, `ETIMEDOUT` after
 *   `options.timeout`, `EHOSTUNREACH`, `ENOENT` (no unix socket), `ECANCELED` (the loop stopped);
 *   {@link TlsError} when the TLS handshake fails (`ERR_SSL_CERTIFICATE_VERIFY_FAILED`...).
 */
export async function dial<C = unknown>(addr: AddressInput, events: DialEvents<C>, options: DialOptions<C> = {}): Promise<Conn<C>> {
  const timeout = options.timeout ?? defaults.dialTimeout;
  if (!(Number.isFinite(timeout) && timeout >= 0 && timeout <= 2 ** 31 - 1)) {
    throw new NevioError(`dial: timeout must be a number of milliseconds from 0 to 2^31-1, not ${String(timeout)}`, 'ERR_NEVIO_OPTIONS');
  }
  const target = await resolveTarget(addr);
  let tls: DialTls | undefined;
  if (target.tls || options.tls !== undefined) {
    // The name to verify: the host as written (a name, or an IP the certificate must list).
    tls = { context: clientContext(options.tls), servername: options.tls?.servername ?? target.host, session: options.tls?.session };
  }
  const conn = await currentLoop().dial(target, events as Events<any>, timeout, options.context, tls);
  return conn as Conn<C>;
}
