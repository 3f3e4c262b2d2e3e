/**
 * Runs a {@link RedisServer} on the nevio reactor: one react call parses and executes every
 * complete command in the bytes received, then the batch's replies leave in one write.
 *
 * @packageDocumentation
 */
import { closeIdleClients, expireCycle, replyBufferCron, trackingCron } from './cron';
import { Action, SystemCallError, serve, type Addr, type Conn, type Events, type Server } from '@nevio/core';
import { SettingNotApplied } from './live-config';
import { AcceptErrorLog } from './accept-log';
import { fitMaxclients } from './fd-limit';
import { Aof } from './aof';
import type { Client } from './client';
import { showSetting, type Config } from './config';
import { updateClock } from './keyspace';
import { OUTPUT_PAUSE_BYTES, RedisServer, type ServerLog } from './server';
import { loadRdbAtStart } from './rdb/startup';
import { tlsPort, tlsSettings } from './tls';
import type { TlsOptions } from '@nevio/core';

/** A listening nevio-redis. */
export interface RunningRedis {
  readonly server: RedisServer;
  readonly core: Server;
  /** The TCP port actually bound (useful with port 0), or 0 when only a unix socket is used. */
  readonly port: number;
  /** Stops accepting, closes the clients, flushes and closes the AOF. Idempotent. */
  stop(): Promise<void>;
  /**
   * A signal's stop (SIGTERM, SIGINT): first the final save Redis makes when there are save
   * points. Resolves once stopped, or to `'declined'` when the server keeps running: SHUTDOWN
   * ABORT cancelled it, or the save failed (as Redis: "can't exit"); a later signal tries again.
   */
  stopOnSignal(): Promise<void | 'declined'>;

  /** Resolves once stopped, by {@link RunningRedis.stop}, SHUTDOWN or a signal. */
  readonly done: Promise<void>;
}

/** One address to listen on; an optional one (`bind -::1`) is skipped when the host lacks it. */
interface ListenAddress {
  readonly url: string;
  readonly optional: boolean;
}

/**
 * The addresses `bind`, `port` and `unixsocket` ask for, as Redis reads `bind`: `*` is every
 * IPv4 interface, `::*` every IPv6 one, and a leading `-` makes an address optional (Redis 7:
 * skipped when it cannot be bound for lack of the address or protocol, EADDRNOTAVAIL/EAFNOSUPPORT).
 */
function listenAddresses(config: Config): ListenAddress[] {
  const addrs: ListenAddress[] = [];
  const secure = tlsPort(config);
  // `port 0` turns plain TCP off; `tls-port` adds TLS listeners on the same `bind` addresses.
  if (config.port !== 0 || (config.unixsocket === '' && secure === 0)) addrs.push(...bindAddresses(config, 'tcp', config.port));
  if (secure !== 0) addrs.push(...bindAddresses(config, 'tls', secure));
  if (config.unixsocket !== '') addrs.push({ url: `unix://${config.unixsocket}`, optional: false });
  return addrs;
}

/** The `bind` addresses with one port. */
function bindAddresses(config: Config, scheme: 'tcp' | 'tls', port: number): ListenAddress[] {
  return config.bind.map((word) => {
    const optional = word.startsWith('-');
    let host = optional ? word.slice(1) : word;
    if (host === '*') host = '0.0.0.0';
    else if (host === '::*') host = '::';
    return { url: host.includes(':') ? `${scheme}6://[${host}]:${port}` : `${scheme}://${host}:${port}`, optional };
  });
}

/**
 * CONFIG SET port, as Redis's changeListenPort: listens on the new port's `bind` addresses (none
 * for port 0), then closes the old port's listeners; when one cannot be opened, closes those it
 * opened and throws, leaving the old ones. Returns the listeners now on the port.
 */
function movePort(core: Server, config: Config, port: number, old: readonly Addr[]): Addr[] {
  const opened: Addr[] = [];
  for (const wanted of port === 0 ? [] : bindAddresses(config, 'tcp', port)) {
    try {
      opened.push(core.listen(wanted.url));
    } catch (e) {
      if (wanted.optional && e instanceof SystemCallError && MISSING_ADDRESS.has(e.code)) continue;
      for (const a of opened) core.closeListener(a);
      throw new SettingNotApplied(`Unable to listen on this port: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const a of old) core.closeListener(a);
  return opened;
}

/** The errors that make an optional address be skipped rather than fail the start. */
const MISSING_ADDRESS = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT']);

/** Listens on every address, leaving out the optional ones the host cannot bind. */
async function listenAll(events: Events<Client>, wanted: ListenAddress[], maxInbound: number, tls: TlsOptions | undefined): Promise<Server> {
  let addrs = wanted;
  for (;;) {
    try {
      return await serve(events, addrs.map((a) => a.url), { maxInbound, tls });
    } catch (e) {
      const failed = e instanceof SystemCallError && MISSING_ADDRESS.has(e.code) ? addrs.find((a) => a.optional && a.url === e.address) : undefined;
      if (failed === undefined) throw e;
      addrs = addrs.filter((a) => a !== failed);
    }
  }
}

/** True for clients on a unix socket or the loopback interface (Redis's islocalClient). */
function isLocal(conn: Conn<Client>): boolean {
  const { network, address } = conn.remoteAddr;
  return network === 'unix' || address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

/** What Redis answers a non-local client in protected mode (networking.c, Redis 7.0), in one line. */
const PROTECTED_MODE_DENIED =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
  'In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you ' +
  "may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback " +
  'interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet ' +
  'if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the ' +
  "Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server " +
  "manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. " +
  'NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n';

/** Protected mode (on by default): while the default user needs no password, only local clients are served. */
function refusedByProtectedMode(server: RedisServer, conn: Conn<Client>): boolean {
  return server.acl.defaultNoPass && showSetting(server.config, 'protected-mode') === 'yes' && !isLocal(conn);
}

/**
 * Listens, then loads the AOF (when enabled) or else `dir`/`dbfilename` (when it exists) before
 * serving anyone. `listening` runs in between (the command line's PID line: Redis prints it once
 * it listens and before it loads, and its test suite connects as soon as it read it).
 */
export async function startRedis(config: Config, log?: ServerLog, listening?: () => void): Promise<RunningRedis> {
  const server = new RedisServer(config, log);
  // A limit of clients the process cannot hold descriptors for is lowered, as Redis does.
  config.maxclients = fitMaxclients(config.maxclients, (msg) => server.log.warn(msg));
  const acceptErrors = new AcceptErrorLog((msg) => server.log.warn(msg));
  // Measuring memory costs a few microseconds: only every 100 ms, and only when it matters.
  let lastMeasure = 0;
  let lastIdleCheck = 0;
  // Under `appendfsync always` the replies of a whole batch of events wait for one write+fsync
  // of the AOF, done in a microtask once the reactor's batch has run, as Redis fsyncs once per
  // event-loop iteration; otherwise each react hands its replies over at once, so that they join
  // the reactor's batched writes.
  let flushScheduled = false;
  const deferFlush = (): boolean => server.aof !== null && config.appendfsync === 'always';
  const flushBatch = (): void => {
    flushScheduled = false;
    server.flush();
  };
  // Connections whose pipeline stopped on a big backlog of replies (server.ts processInput):
  // their input is presented again once the output drained.
  const waitingForDrain = new Set<Conn<Client>>();
  // Where the reply-buffer cron resumes its round of the clients.
  const replyBufferVisits: { cursor: Iterator<Client> | null } = { cursor: null };
  const resumeWhenDrained = (conn: Conn<Client>): void => {
    setImmediate(() => {
      if (conn.closed) return;
      // Above the high watermark the reactor reports `drained` later; below it, go on now.
      if (conn.outboundBuffered >= OUTPUT_PAUSE_BYTES) waitingForDrain.add(conn);
      else conn.wake();
    });
  };
  const events: Events<Client> = {
    opened(conn: Conn<Client>) {
      if (refusedByProtectedMode(server, conn)) {
        server.stats.rejectedConnections++;
        return { out: PROTECTED_MODE_DENIED, action: Action.Close };
      }
      if (server.clients.size >= config.maxclients) {
        server.stats.rejectedConnections++;
        return { out: '-ERR max number of clients reached\r\n', action: Action.Close };
      }
      conn.context = server.newClient(conn);
      return undefined;
    },
    react(conn, data) {
      const c = conn.context;
      if (c === undefined) return Action.Close;
      server.updateTime();
      const used = server.processInput(c, data);
      const outputBound = used < data.length && c.out.backlog >= OUTPUT_PAUSE_BYTES;
      // Consuming everything is the default; only a partial command needs the read cursor.
      if (used < data.length) conn.discard(used);
      if (c.closing || !deferFlush()) server.flush();
      else if (!flushScheduled) {
        flushScheduled = true;
        queueMicrotask(flushBatch);
      }
      if (outputBound) resumeWhenDrained(conn);
      return c.closing ? Action.Close : undefined;
    },
    drained(conn) {
      const c = conn.context;
      if (c === undefined) return;
      server.streams.drained(c);
      if (waitingForDrain.delete(conn)) conn.wake();
    },
    closed(conn) {
      waitingForDrain.delete(conn);
      const c = conn.context;
      if (c !== undefined) server.freeClient(c);
    },
    tick() {
      expireCycle(server);
      trackingCron(server);
      replyBufferCron(server, replyBufferVisits);
      if (!server.cronPaused) server.rdb.cron();
      if (server.aof !== null) server.aof.tick();
      server.replication.cron();
      const now = server.now();
      if (now - lastIdleCheck >= 1000) {
        lastIdleCheck = now;
        closeIdleClients(server);
      }
      if (config.maxmemory > 0 && now - lastMeasure >= 100) {
        lastMeasure = now;
        server.measureMemory();
      }
      server.flush();
      return Math.max(1, Math.floor(1000 / Math.max(1, config.hz)));
    },
    error(err, conn) {
      if (conn === undefined && err instanceof SystemCallError && err.syscall === 'accept') acceptErrors.failed(err.message);
      else server.log.error(`connection ${conn?.id ?? '-'}: ${err.message}`);
    },
  };
  updateClock(Date.now());
  const wanted = listenAddresses(config);
  const tls = tlsPort(config) !== 0 ? tlsSettings(config) : undefined;
  const core = await listenAll(events, wanted, config['client-query-buffer-limit'] + 1024 * 1024, tls).catch((e: unknown) => {
    // Redis's line, which its test suite looks for to retry on another port.
    server.log.warn(`Failed listening on port ${config.port} (tcp), aborting: ${(e as Error).message}`);
    throw e;
  });
  // Listening first, as Redis does (the suite connects as soon as it read the PID line); the
  // load is synchronous, so no connection is served before the dataset is in.
  try {
    listening?.();
    if (config.appendonly) server.aof = Aof.openAtStart(server);
    else loadRdbAtStart(server);
  } catch (e) {
    await core.stop();
    throw e;
  }
  // The plain listeners come first (listenAddresses), so the first TCP address is plain if any is.
  const tcp = wanted.some((a) => a.url.startsWith('tcp')) ? core.addrs.find((a) => a.network !== 'unix') : undefined;
  server.tcpPort = tcp?.port ?? 0;
  // The plain TCP listeners, which CONFIG SET port moves (the first `bind` address's port is theirs).
  let portListeners = tcp === undefined ? [] : core.addrs.filter((a) => a.network !== 'unix' && a.port === tcp.port);
  let listeningOn = config.port;
  server.movePort = (port) => {
    if (port === listeningOn) return;
    portListeners = movePort(core, config, port, portListeners);
    listeningOn = port;
    server.tcpPort = portListeners[0]?.port ?? 0;
  };
  // CONFIG SET tls-cert-file & co. load the new files (live-config.ts), as Redis does.
  if (tls !== undefined) server.reloadTls = async () => core.reloadTls(tlsSettings(config));
  server.replication.start();
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      try {
        server.migrateLinks.closeAll();
        server.replication.stop();
        await core.stop();
      } finally {
        server.scripting.close();
        if (server.aof !== null) {
          server.aof.close();
          server.aof = null;
        }
      }
    })());
  server.onShutdown = () => void stop();
  const done = core.done.then(() => stop());
  const stopOnSignal = async (): Promise<void | 'declined'> => {
    if (!(await server.rdb.shutdownRequested(() => server.cronPaused))) return 'declined';
    if (await server.rdb.shutdownOnSignal()) return stop();
    server.log.warn('SIGTERM received but errors trying to shut down the server, check the logs for more information');
    return 'declined';
  };
  return { server, core, port: server.tcpPort, stop, stopOnSignal, done };
}
