/**
 * What the server does once per tick besides answering clients (Redis's serverCron): active
 * expiry, the tracking table's size limit, and closing idle clients. `listen.ts` runs them.
 *
 * @packageDocumentation
 */
import { activeExpireCycle } from './expire';
import { updateClock } from './keyspace';
import type { Client } from './client';
import type { RedisServer } from './server';

/** Clients visited per tick at the least (Redis's CLIENTS_CRON_MIN_ITERATIONS). */
const CLIENTS_CRON_MIN_ITERATIONS = 5;

/** Active expiry within `budgetMs` (see `expire.ts`), reported to LATENCY as `expire-cycle`. */
export function expireCycle(server: RedisServer, budgetMs = 5): void {
  // No key expires under a running script (it may be between two of its slices).
  if (server.timeFrozen) return;
  server.updateTime();
  updateClock(server.now());
  // CLIENT PAUSE keeps the dataset as it is: no key expires until it ends. A replica's keys
  // expire by its master's DELs.
  if (!server.activeExpire || server.cronPaused || !server.pause.expired() || server.replication.masterHost !== null) return;
  const started = performance.now();
  activeExpireCycle(server.dbs, server.now(), budgetMs);
  const ms = Math.floor(performance.now() - started);
  const threshold = server.config['latency-monitor-threshold'];
  if (threshold > 0 && ms >= threshold) server.latency.add('expire-cycle', Math.floor(Date.now() / 1000), ms);
}

/** Keeps the tracking table within `tracking-table-max-keys` even when no command runs. */
export function trackingCron(server: RedisServer): void {
  if (server.tracking.clients === 0 || server.cronPaused) return;
  server.tracking.limit(server.trackingMaxKeys);
  server.flush();
}

/**
 * Closes clients idle for longer than `timeout` seconds (0: never), except blocked, subscribed
 * and replication ones, which are idle by design.
 */
export function closeIdleClients(server: RedisServer): void {
  const limit = server.config.timeout * 1000;
  if (limit <= 0) return;
  const now = server.now();
  for (const c of server.clients.values()) {
    // Replicas and the master's link are idle between writes, as in Redis.
    if (c.blocked !== null || c.subscribed || c.replicationRole !== 0 || now - c.lastInteraction <= limit) continue;
    server.killClient(c);
  }
}

/**
 * Redis's clientsCron share of reply-buffer resizing (`reply-buffer.ts`): each tick visits the
 * next clients round-robin, every one when there are few (at least 5 a tick, Redis's
 * CLIENTS_CRON_MIN_ITERATIONS), so that each client is seen about once a second.
 */
export function replyBufferCron(server: RedisServer, state: { cursor: Iterator<Client> | null }): void {
  const clients = server.clients;
  if (clients.size === 0) return;
  let visits = Math.min(clients.size, Math.max(CLIENTS_CRON_MIN_ITERATIONS, Math.ceil(clients.size / Math.max(1, server.config.hz))));
  const now = server.now();
  while (visits-- > 0) {
    let r = (state.cursor ??= clients.values()).next();
    if (r.done === true) {
      state.cursor = clients.values();
      r = state.cursor.next();
      if (r.done === true) return;
    }
    server.replyBuffers.resize(r.value.out, now);
  }
}
