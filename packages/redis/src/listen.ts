/**
 * Runs a {@link RedisServer} on the nevio reactor: one react call parses and executes every
 * complete command in the bytes received, then the batch's replies leave in one write.
 *
 * @packageDocumentation
 */
import { closeIdleClients, expireCycle, trackingCron } from './cron';
import { Action, serve, type Conn, type Events, type Server } from '@nevio/core';
import { Aof } from './aof';
import type { Client } from './client';
import type { Config } from './config';
import { updateClock } from './keyspace';
import { RedisServer, type ServerLog } from './server';

/** A listening nevio-redis. */
export interface RunningRedis {
  readonly server: RedisServer;
  readonly core: Server;
  /** The TCP port actually bound (useful with port 0), or 0 when only a unix socket is used. */
  readonly port: number;
  /** Stops accepting, closes the clients, flushes and closes the AOF. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once stopped, by {@link RunningRedis.stop}, SHUTDOWN or a signal. */
  readonly done: Promise<void>;
}

function listenAddresses(config: Config): string[] {
  const addrs: string[] = [];
  if (config.port !== 0 || config.unixsocket === '') {
    for (const host of config.bind) addrs.push(host.includes(':') ? `tcp6://[${host}]:${config.port}` : `tcp://${host}:${config.port}`);
  }
  if (config.unixsocket !== '') addrs.push(`unix://${config.unixsocket}`);
  return addrs;
}

/** Loads the AOF (when enabled), then listens. */
export async function startRedis(config: Config, log?: ServerLog): Promise<RunningRedis> {
  const server = new RedisServer(config, log);
  if (config.appendonly) {
    server.aof = new Aof(server);
    server.aof.load();
  }
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
  const events: Events<Client> = {
    opened(conn: Conn<Client>) {
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
      // Consuming everything is the default; only a partial command needs the read cursor.
      if (used < data.length) conn.discard(used);
      if (c.closing || !deferFlush()) server.flush();
      else if (!flushScheduled) {
        flushScheduled = true;
        queueMicrotask(flushBatch);
      }
      return c.closing ? Action.Close : undefined;
    },
    drained(conn) {
      const c = conn.context;
      if (c !== undefined) server.streams.drained(c);
    },
    closed(conn) {
      const c = conn.context;
      if (c !== undefined) server.freeClient(c);
    },
    tick() {
      expireCycle(server);
      trackingCron(server);
      if (server.aof !== null) server.aof.tick();
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
      server.log.error(`connection ${conn?.id ?? '-'}: ${err.message}`);
    },
  };
  updateClock(Date.now());
  const core = await serve(events, listenAddresses(config), {
    maxInbound: config['client-query-buffer-limit'] + 1024 * 1024,
  });
  const tcp = core.addrs.find((a) => a.network !== 'unix');
  server.tcpPort = tcp?.port ?? 0;
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      try {
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
  return { server, core, port: server.tcpPort, stop, done };
}
