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
  server.commandStats.called(c.lastCommand, usec, failed);
  const config = server.config;
  const latencyMs = config['latency-monitor-threshold'];
  if (latencyMs > 0 && usec >= latencyMs * 1000) {
    server.latency.add((def.flags & CMD_FAST) !== 0 ? 'fast-command' : 'command', Math.floor(Date.now() / 1000), Math.floor(usec / 1000));
  }
  const threshold = config['slowlog-log-slower-than'];
  if (threshold < 0 || usec < threshold || (def.flags & CMD_SKIP_SLOWLOG) !== 0 || def.name === 'exec') return;
  const a = c.conn?.remoteAddr;
  const peer = a === undefined ? '' : a.network.startsWith('unix') ? `${a.address}:0` : `${a.address}:${a.port}`;
  server.slowlog.push(argv, usec, Math.floor(server.now() / 1000), peer, c.name, config['slowlog-max-len']);
}
