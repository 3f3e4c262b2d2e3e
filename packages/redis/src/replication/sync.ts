/**
 * The master's side of a sync (Redis's syncCommand, masterTryPartialResynchronization,
 * replconfCommand): PSYNC continues from the backlog when the replica's history is ours and
 * its offset still held (`+CONTINUE`), otherwise it gets `+FULLRESYNC <replid> <offset>` and a
 * snapshot of the dataset; SYNC (pre-PSYNC replicas, `redis-cli --replica`) always the snapshot.
 *
 * The snapshot comes from a background save, as in Redis: streamed to the sockets of the
 * replicas that wait for it (`diskless-sync.ts`) or written to disk first (`disk-sync.ts`). Only a
 * disk-target sync that finds a client's BGSAVE or an AOF rewrite running is served from memory
 * at once, the snapshot serialized ahead of the stream on the same connection.
 *
 * @packageDocumentation
 */
import { CLIENT_SLAVE, CommandError, SYNTAX, argInt, argRange, type CommandContext, type Reply } from '../command';
import type { Replication } from './index';
import { CAPA_EOF, CAPA_PSYNC2 } from './replicas';
import { writeSnapshot } from './snapshot';

/** The peer address of the running client, as INFO's slaveN ip shows it. */
function peerOf(ctx: CommandContext): string {
  const conn = ctx.client.conn;
  return conn === null ? '' : conn.remoteAddr.address;
}

/** SYNC, or PSYNC replid offset. */
export function sync(repl: Replication, ctx: CommandContext, argv: Buffer[]): void {
  const id = ctx.client.id;
  // Already a replica: Redis ignores it (no reply).
  if (repl.replicas.attachedAs(id) !== undefined) return;
  if (repl.masterHost !== null && repl.link?.state !== 'connected') {
    throw new CommandError("NOMASTERLINK Can't SYNC while not connected with my master");
  }
  const psync = argv[0].toString().toLowerCase() === 'psync';
  let from = 0;
  if (psync) {
    try {
      from = argInt(argv[2]);
    } catch (err) {
      repl.host.log.warn(`Replica ${peerOf(ctx)} asks for synchronization but with a wrong offset`);
      throw err;
    }
  }
  const r = repl.replicas.of(id, peerOf(ctx));
  const host = repl.host;
  const self = host.clients.get(id);
  if (self !== undefined) self.replicationRole = CLIENT_SLAVE;
  const out = ctx.client.pushReply;
  if (psync) {
    const replid = argv[1].toString();
    const backlog = repl.backlog;
    if (repl.ids.continues(replid, from) && backlog !== null && backlog.covers(from)) {
      repl.syncStats.partialOk++;
      out.raw(Buffer.from((r.capa & CAPA_PSYNC2) !== 0 ? `+CONTINUE ${repl.ids.replid}\r\n` : '+CONTINUE\r\n', 'latin1'));
      for (const chunk of backlog.since(from)) out.raw(chunk);
      repl.attach(r, out);
      host.log.warn(`Partial resynchronization request from ${r.peer}:${r.listeningPort} accepted, from offset ${from}.`);
      return;
    }
    if (replid !== '?') repl.syncStats.partialErr++;
  } else r.preSync = true;
  repl.syncStats.full++;
  if (repl.setting('repl-diskless-sync') === 'yes' && (r.capa & CAPA_EOF) !== 0) {
    // A diskless sync waits `repl-diskless-sync-delay` seconds for more replicas to share it, and
    // for a running save or rewrite to end (Redis's WAIT_BGSAVE_START); the cron sends newlines
    // meanwhile and starts it.
    const pending = { id, psync, out, since: host.now() };
    if (Number(repl.setting('repl-diskless-sync-delay')) > 0 || !repl.disklessSyncs.begin([pending])) repl.pendingSyncs.push(pending);
    return;
  }
  fullSync(repl, id, psync, out);
}

/** A replica waiting for its full sync to start. */
export interface PendingSync {
  readonly id: number;
  readonly psync: boolean;
  readonly out: Reply;
  /** When it asked (ms). */
  readonly since: number;
}

/**
 * Once a second: a newline to each replica waiting for its sync (their handshake timeout), and
 * the syncs started once the oldest waited `repl-diskless-sync-delay` seconds or
 * `repl-diskless-sync-max-replicas` are waiting.
 */
export function pendingSyncsCron(repl: Replication, now: number): void {
  const pending = repl.pendingSyncs;
  if (pending.length === 0) return;
  const live = pending.filter((p) => repl.host.clients.has(p.id));
  pending.length = 0;
  if (live.length === 0) return;
  const delay = Number(repl.setting('repl-diskless-sync-delay')) * 1000;
  const max = Number(repl.setting('repl-diskless-sync-max-replicas'));
  const due = now - live[0].since >= delay || (max !== 0 && live.length >= max);
  if (!due || !repl.disklessSyncs.begin(live)) {
    for (const p of live) p.out.raw(NEWLINE);
    pending.push(...live);
  }
  repl.host.flush();
}

const NEWLINE = Buffer.from('\n', 'latin1');

/** A disk-target sync: `+FULLRESYNC` (PSYNC) and the file, then the stream. */
function fullSync(repl: Replication, id: number, psync: boolean, out: Reply): void {
  const host = repl.host;
  const r = repl.replicas.of(id, '');
  if (repl.diskSyncs.begin(r, psync, out)) return;
  const backlog = repl.ensureBacklog();
  let rdb: Buffer[];
  try {
    rdb = writeSnapshot(host, repl.ids.replid, backlog.offset, repl.encoder.lastDb);
  } catch (err) {
    repl.replicas.forget(id);
    const c = host.clients.get(id);
    if (c !== undefined) host.killClient(c);
    host.log.error(`BGSAVE failed, replication can't continue: ${(err as Error).message}`);
    return;
  }
  if (psync) out.raw(Buffer.from(`+FULLRESYNC ${repl.ids.replid} ${backlog.offset}\r\n`, 'latin1'));
  const size = rdb.reduce((n, piece) => n + piece.length, 0);
  out.raw(Buffer.from(`$${size}\r\n`, 'latin1'));
  for (const piece of rdb) out.raw(piece);
  // client-output-buffer-limit replica counts the stream, not the snapshot (sent beside it in Redis).
  const replica = host.clients.get(id);
  if (replica !== undefined) replica.outputExempt = size;
  // The replica knows no selected database yet: the next command starts with SELECT.
  repl.encoder.lastDb = -1;
  repl.attach(r, out);
}

/** REPLCONF option value … (Redis's replconfCommand). */
export function replconf(repl: Replication, ctx: CommandContext, argv: Buffer[]): void {
  if (argv.length % 2 === 0) throw new CommandError(SYNTAX);
  const id = ctx.client.id;
  for (let j = 1; j < argv.length; j += 2) {
    const option = argv[j].toString().toLowerCase();
    const value = argv[j + 1];
    switch (option) {
      case 'listening-port':
        repl.replicas.of(id, peerOf(ctx)).listeningPort = argInt(value);
        break;
      case 'ip-address':
        // Redis's NET_HOST_STR_LEN: 256 bytes with the NUL.
        if (value.length >= 256) throw new CommandError(`ERR REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`);
        repl.replicas.of(id, peerOf(ctx)).ipAddress = value.toString();
        break;
      case 'capa': {
        // Capabilities this master does not know are ignored.
        const capa = value.toString().toLowerCase();
        const r = repl.replicas.of(id, peerOf(ctx));
        if (capa === 'eof') r.capa |= CAPA_EOF;
        else if (capa === 'psync2') r.capa |= CAPA_PSYNC2;
        break;
      }
      case 'ack': {
        // From a replica only, and never answered.
        const r = repl.replicas.attachedAs(id);
        if (r === undefined) return;
        const offset = Number(value.toString());
        if (!Number.isSafeInteger(offset)) return;
        if (offset > r.ackOffset) r.ackOffset = offset;
        r.ackTime = repl.host.now();
        repl.disklessSyncs.acknowledged(r);
        repl.acked();
        return;
      }
      case 'getack':
        // From our master: the ACK goes out at once (no reply otherwise).
        if (repl.link !== null && ctx.client === repl.masterClient) repl.link.sendAck();
        return;
      case 'rdb-only':
        // redis-cli --rdb: it closes the connection once it has the snapshot.
        argRange(value, 0n, 1n);
        break;
      default:
        throw new CommandError(`ERR Unrecognized REPLCONF option: ${argv[j].toString()}`);
    }
  }
  ctx.reply.ok();
}
