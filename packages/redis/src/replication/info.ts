/**
 * INFO replication and ROLE, in the shape of Redis 7.0's (genRedisInfoString's replication
 * section, roleCommand): the same fields in the same order, present under the same conditions.
 *
 * @packageDocumentation
 */
import type { Reply } from '../reply';
import type { Replication } from './index';

type Fields = [string, string | number][];

/** Seconds from `ms` to now, as Redis's unixtime differences. */
function secondsSince(ms: number): number {
  return Math.floor((Date.now() - ms) / 1000);
}

/** The replica's address as INFO and ROLE show it: REPLCONF ip-address, or the peer's. */
function addressOf(r: { ipAddress: string | null; peer: string }): string {
  return r.ipAddress ?? r.peer;
}

/** INFO replication. */
export function replicationInfo(repl: Replication): Fields {
  const fields: Fields = [['role', repl.masterHost === null ? 'master' : 'slave']];
  const link = repl.link;
  if (repl.masterHost !== null && link !== null) {
    const up = link.state === 'connected';
    fields.push(
      ['master_host', repl.masterHost],
      ['master_port', repl.masterPort],
      ['master_link_status', up ? 'up' : 'down'],
      ['master_last_io_seconds_ago', up ? secondsSince(link.lastIo) : -1],
      ['master_sync_in_progress', link.state === 'sync' ? 1 : 0],
      ['slave_read_repl_offset', link.readOffset],
      ['slave_repl_offset', link.offset],
    );
    const t = link.transfer;
    if (link.state === 'sync' && t !== null) {
      const perc = t.size > 0 ? (t.read / t.size) * 100 : 0;
      fields.push(
        ['master_sync_total_bytes', t.size],
        ['master_sync_read_bytes', t.read],
        ['master_sync_left_bytes', t.size - t.read],
        ['master_sync_perc', perc.toFixed(2)],
        ['master_sync_last_io_seconds_ago', secondsSince(t.lastIo)],
      );
    }
    if (!up) fields.push(['master_link_down_since_seconds', link.downSince !== 0 ? secondsSince(link.downSince) : -1]);
    fields.push(
      ['slave_priority', repl.setting('replica-priority')],
      ['slave_read_only', repl.setting('replica-read-only') === 'yes' ? 1 : 0],
      ['replica_announced', repl.setting('replica-announced') === 'yes' ? 1 : 0],
    );
  }
  const replicas = repl.replicas.attached;
  fields.push(['connected_slaves', replicas.length]);
  const min = Number(repl.setting('min-replicas-to-write'));
  const lag = Number(repl.setting('min-replicas-max-lag'));
  if (min > 0 && lag > 0) fields.push(['min_slaves_good_slaves', repl.replicas.good(Date.now(), lag)]);
  replicas.forEach((r, i) => {
    const lagSeconds = r.phase === 'online' ? secondsSince(r.ackTime) : 0;
    fields.push([`slave${i}`, `ip=${addressOf(r)},port=${r.listeningPort},state=${r.phase},offset=${r.ackOffset},lag=${lagSeconds}`]);
  });
  const backlog = repl.backlog;
  fields.push(
    ['master_failover_state', 'no-failover'],
    ['master_replid', repl.ids.replid],
    ['master_replid2', repl.ids.replid2],
    ['master_repl_offset', repl.offset],
    ['second_repl_offset', repl.ids.secondOffset],
    ['repl_backlog_active', backlog !== null ? 1 : 0],
    ['repl_backlog_size', backlog?.size ?? Number(repl.setting('repl-backlog-size'))],
    ['repl_backlog_first_byte_offset', backlog !== null ? backlog.firstByte : 0],
    ['repl_backlog_histlen', backlog?.histlen ?? 0],
  );
  return fields;
}

/** ROLE: `master offset [[ip port offset] …]` or `slave host port state offset`. */
export function roleReply(repl: Replication, reply: Reply): void {
  const link = repl.link;
  if (repl.masterHost === null || link === null) {
    const online = repl.replicas.attached.filter((r) => r.phase === 'online');
    reply.array(3);
    reply.bulk('master');
    reply.integer(repl.offset);
    reply.array(online.length);
    for (const r of online) {
      reply.array(3);
      reply.bulk(addressOf(r));
      reply.bulk(String(r.listeningPort));
      reply.bulk(String(r.ackOffset));
    }
    return;
  }
  reply.array(5);
  reply.bulk('slave');
  reply.bulk(repl.masterHost);
  reply.integer(repl.masterPort);
  reply.bulk(link.state);
  reply.integer(link.state === 'connected' ? link.offset : -1);
}
