/**
 * Commands sent by one of our replicas over its link. The link carries our stream to it, so a
 * reply would land in the middle of that stream and corrupt it: as Redis 7.0 does, a replica
 * may not touch the keyspace (processCommand: "Replica can't interact with the keyspace"), an
 * error meant for it is logged as critical (afterErrorReply), and a replica whose command
 * produced any reply is disconnected instead of being sent it (_addReplyToBufferOrList). Only
 * REPLCONF ACK (and a repeated SYNC/PSYNC, ignored) produce nothing.
 *
 * @packageDocumentation
 */
import { CMD_MAY_REPLICATE, CMD_READONLY, CMD_WRITE, type CommandDef } from '../command';
import type { Client } from '../client';
import { statName } from '../cmdstats';
import { clientInfoLine } from '../commands/client';

const KEYSPACE_COMMAND = CMD_WRITE | CMD_READONLY | CMD_MAY_REPLICATE;
const KEYSPACE_ERROR = "ERR Replica can't interact with the keyspace";

/** What the guard needs of the server. */
export interface ReplicaGuardHost {
  readonly log: { warn(msg: string): void };
  now(): number;
  killClient(c: Client): void;
}

/**
 * Runs `run` (the command's usual path) for replica `c` unless the command touches the
 * keyspace; disconnects the replica if a reply was produced.
 */
export function runReplicaCommand(host: ReplicaGuardHost, c: Client, argv: Buffer[], def: CommandDef | undefined, run: () => void): void {
  // Our stream may reach the replica during its command (its first ACK releases what was held
  // for it): those bytes are not a reply.
  const before = c.out.backlog - c.out.relayed;
  const name = def === undefined ? argv[0].latin1Slice(0, argv[0].length).toLowerCase() : statName(def.name, argv);
  if (def !== undefined && (def.flags & KEYSPACE_COMMAND) !== 0) {
    host.log.warn(`== CRITICAL == This master is sending an error to its replica: '${KEYSPACE_ERROR}' after processing the command '${name}'`);
    c.out.error(KEYSPACE_ERROR);
  } else run();
  if (c.closing || c.out.backlog - c.out.relayed === before) return;
  host.log.warn(`Replica generated a reply to command '${name}', disconnecting it: ${clientInfoLine(c, host.now())}`);
  host.killClient(c);
}
