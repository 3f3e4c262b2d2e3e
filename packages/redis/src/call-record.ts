/**
 * What the server records of each command it ran: INFO commandstats/errorstats, the LATENCY
 * monitor's `command`/`fast-command` events, and the SLOWLOG.
 *
 * @packageDocumentation
 */
import { CMD_FAST, CMD_SKIP_SLOWLOG, type CommandDef } from './command';
import type { Client } from './client';
import type { RedisServer } from './server';

/** One command ran for `usec` µs; `failed`: it replied an error. */
export function recordCall(server: RedisServer, c: Client, def: CommandDef, argv: Buffer[], usec: number, failed: boolean): void {
  // The name call() already put in lastCommand: no second statName per command.
  const config = server.config;
  server.commandStats.called(c.lastCommand, usec, failed, config['latency-tracking']);
  const latencyMs = config['latency-monitor-threshold'];
  if (latencyMs > 0 && usec >= latencyMs * 1000) {
    server.latency.add((def.flags & CMD_FAST) !== 0 ? 'fast-command' : 'command', Math.floor(Date.now() / 1000), Math.floor(usec / 1000));
  }
  if ((def.flags & CMD_SKIP_SLOWLOG) !== 0 || def.name === 'exec') return;
  // A command that blocked is logged when it ends (Redis's updateStatsOnUnblock), as it was sent.
  if (c.blocked !== null && c.blocked.spec.keys.length > 0) {
    c.blocked.argv = server.sentName(c, argv).map((a) => Buffer.from(a));
    return;
  }
  const threshold = config['slowlog-log-slower-than'];
  if (threshold >= 0 && usec >= threshold) slowlogPush(server, c, server.sentName(c, argv), usec);
}

/** SLOWLOG takes `argv` (as sent) if it ran for at least `slowlog-log-slower-than` µs. */
export function slowlogPush(server: RedisServer, c: Client, argv: readonly Buffer[], usec: number): void {
  const config = server.config;
  const threshold = config['slowlog-log-slower-than'];
  if (threshold < 0 || usec < threshold) return;
  const a = c.conn?.remoteAddr;
  const peer = a === undefined ? '' : a.network.startsWith('unix') ? `${a.address}:0` : `${a.address}:${a.port}`;
  // The command's name as the client sent it (Redis logs its argv before any rewrite).
  server.slowlog.push(argv, usec, Math.floor(server.now() / 1000), peer, c.name, config['slowlog-max-len']);
}
