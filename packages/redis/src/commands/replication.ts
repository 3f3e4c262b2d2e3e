/**
 * The replication commands (`../replication/`): SYNC and PSYNC attach a replica, REPLCONF
 * configures it and carries its ACKs, REPLICAOF/SLAVEOF change the role, WAIT blocks until
 * replicas acknowledged the client's writes, ROLE reports the role.
 *
 * @packageDocumentation
 */
import {
  CMD_ADMIN,
  CMD_ALLOW_BUSY,
  CMD_FAST,
  CMD_LOADING,
  CMD_NOSCRIPT,
  CMD_NO_ASYNC_LOADING,
  CMD_NO_MULTI,
  CMD_STALE,
  CommandError,
  INT64_MAX,
  NOKEYS,
  argInt,
  argRange,
  def,
  parseBigInt,
} from '../command';
import type { CommandContext, CommandDef } from '../command';

const SYNC_FLAGS = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI;
const REPLICAOF_FLAGS = CMD_ADMIN | CMD_NOSCRIPT | CMD_STALE | CMD_NO_ASYNC_LOADING;

/** REPLICAOF host port | NO ONE (Redis's replicaofCommand). */
function replicaOf(ctx: CommandContext, argv: Buffer[]): void {
  if (argv[1].toString().toLowerCase() === 'no' && argv[2].toString().toLowerCase() === 'one') {
    return ctx.server.replication.replicaOf(ctx, null, 0);
  }
  let port: number;
  try {
    port = Number(argRange(argv[2], 0n, 65535n));
  } catch {
    throw new CommandError('ERR Invalid master port');
  }
  ctx.server.replication.replicaOf(ctx, argv[1].toString(), port);
}

/** WAIT numreplicas timeout: the timeout in milliseconds, as Redis's getTimeoutFromObjectOrReply. */
function wait(ctx: CommandContext, argv: Buffer[]): void {
  const replicas = argInt(argv[1]);
  const timeout = parseBigInt(argv[2]);
  if (timeout === undefined) throw new CommandError('ERR timeout is not an integer or out of range');
  if (timeout < 0n) throw new CommandError('ERR timeout is negative');
  if (timeout > 0n && timeout > INT64_MAX - BigInt(ctx.server.now())) throw new CommandError('ERR timeout is out of range');
  ctx.server.replication.wait(ctx, replicas, Number(timeout));
}

export const replicationCommands: CommandDef[] = [
  def('sync', 1, SYNC_FLAGS, NOKEYS, 'server', (ctx, argv) => ctx.server.replication.sync(ctx, argv)),
  def('psync', -3, SYNC_FLAGS, NOKEYS, 'server', (ctx, argv) => ctx.server.replication.sync(ctx, argv)),
  def('replconf', -1, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_ALLOW_BUSY, NOKEYS, 'server', (ctx, argv) =>
    ctx.server.replication.replconf(ctx, argv),
  ),
  def('replicaof', 3, REPLICAOF_FLAGS, NOKEYS, 'server', replicaOf),
  def('slaveof', 3, REPLICAOF_FLAGS, NOKEYS, 'server', replicaOf),
  def('wait', 3, CMD_NOSCRIPT, NOKEYS, 'generic', wait),
  def('role', 1, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST, NOKEYS, 'server', (ctx) => ctx.server.replication.role(ctx.reply)),
];
