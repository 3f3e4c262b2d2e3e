/**
 * SYNC and PSYNC: attach the connection as a replica of the replication stream
 * (`replication.ts`). nevio is never a replica itself; a replica receives an empty snapshot
 * and then every change, as from a Redis master (PSYNC always answers with a full resync).
 *
 * @packageDocumentation
 */
import { CMD_ADMIN, CMD_NOSCRIPT, CMD_NO_ASYNC_LOADING, CMD_NO_MULTI, NOKEYS, def } from '../command';
import type { CommandDef } from '../command';

const FLAGS = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI;

/** The replication id PSYNC announces: 40 hex digits, fixed (nevio keeps no replication history). */
const REPLICATION_ID = '0'.repeat(40);

export const replicationCommands: CommandDef[] = [
  def('sync', 1, FLAGS, NOKEYS, 'server', (ctx) => ctx.server.replication.attach(ctx.reply)),
  def('psync', -3, FLAGS, NOKEYS, 'server', (ctx) => ctx.server.replication.attach(ctx.reply, `+FULLRESYNC ${REPLICATION_ID} 0\r\n`)),
];
