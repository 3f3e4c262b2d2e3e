/**
 * A full sync through the RDB file (`repl-diskless-sync no`, or a replica without `capa eof`),
 * as Redis's disk-target BGSAVE for replication. The first replica starts a background save
 * (the fork-less snapshot of `persist/`, so `rdb-key-save-delay`, `rdb_bgsave_in_progress` and
 * BGSAVE's other rules apply), is told `+FULLRESYNC <id> <offset>` with the offset the snapshot
 * starts at, and waits in `wait_bgsave` while the stream from that offset is held for it.
 * Replicas that come meanwhile join the same save with a copy of what is held. Once the file is
 * written, each gets `$<size>`, the file and then the held stream, and is online. A save no
 * replica waits for any more is stopped, unless save points want it (Redis kills its child then).
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { rdbPath } from '../rdb/dataset';
import type { Reply } from '../reply';
import type { Replication } from './index';
import type { ReplicaState } from './replicas';

const NEWLINE = Buffer.from('\n', 'latin1');

/** The replicas' disk syncs of one master. */
export class DiskSyncs {
  /** The history the running replication save starts at; null when none runs. */
  private current: { readonly replid: string; readonly offset: number } | null = null;
  /** The replicas that joined the running save. */
  private members: ReplicaState[] = [];

  constructor(private readonly repl: Replication) {}

  /** The replicas waiting for the file (still attached). */
  private waiting(): ReplicaState[] {
    return this.members.filter((r) => r.held !== null && this.repl.replicas.attachedAs(r.clientId) === r);
  }

  /**
   * Starts (or joins) a disk sync for replica `r`. False when no save can serve it now (a
   * BGSAVE of a client's or an AOF rewrite runs): the caller syncs it from memory instead.
   */
  begin(r: ReplicaState, psync: boolean, out: Reply): boolean {
    const repl = this.repl;
    const saves = repl.host.persistence.rdb;
    let held: Buffer[] = [];
    if (this.current === null) {
      if (saves.inProgress) return false;
      const backlog = repl.ensureBacklog();
      // The file's repl-stream-db is taken now; the stream after it starts with a SELECT.
      if (!saves.startForReplication()) return false;
      const current = { replid: repl.ids.replid, offset: backlog.offset };
      this.current = current;
      repl.encoder.lastDb = -1;
      void saves.whenDone().then((ok) => this.finished(ok, current));
      repl.host.log.warn(`Starting BGSAVE for SYNC with target: disk (replica ${r.peer}:${r.listeningPort})`);
    } else held = this.waiting()[0]?.held?.slice() ?? [];
    if (psync) out.raw(Buffer.from(`+FULLRESYNC ${this.current.replid} ${this.current.offset}\r\n`, 'latin1'));
    repl.attach(r, out);
    r.phase = 'wait_bgsave';
    r.held = held;
    this.members.push(r);
    return true;
  }

  /** Once a second: a newline to each waiting replica, so its read timeout does not fire (Redis's pre-synchronization ping). */
  keepAlive(): void {
    const waiting = this.waiting();
    for (const r of waiting) r.out!.raw(NEWLINE);
    if (waiting.length !== 0) this.repl.host.flush();
  }

  /** A replica went away: the save is stopped when it was the last one waiting and no save point needs it. */
  replicaGone(): void {
    if (this.current === null || this.waiting().length !== 0) return;
    const saves = this.repl.host.persistence.rdb;
    if (saves.savePoints().length !== 0) return;
    this.current = null;
    this.members = [];
    saves.abort('no replica waits for it any more');
  }

  private finished(ok: boolean, save: DiskSyncs['current']): void {
    // A save stopped because nobody waited for it: a later one may run by now.
    if (this.current !== save) return;
    const repl = this.repl;
    const host = repl.host;
    this.current = null;
    const waiting = this.waiting();
    this.members = [];
    let file: Buffer | null = null;
    if (ok) {
      try {
        file = readFileSync(rdbPath(host.config));
      } catch (e) {
        host.log.warn(`Failed reading the RDB file for the replicas' sync: ${(e as Error).message}`);
      }
    }
    for (const r of waiting) {
      const c = host.clients.get(r.clientId);
      if (file === null) {
        // Redis's updateSlavesWaitingBgsave on an error: the replica is dropped and syncs again.
        r.held = null;
        repl.replicas.forget(r.clientId);
        if (c !== undefined) host.killClient(c);
        continue;
      }
      const out = r.out!;
      out.raw(Buffer.from(`$${file.length}\r\n`, 'latin1'));
      out.raw(file);
      for (const b of r.held!) out.relay(b);
      r.held = null;
      r.phase = 'online';
      r.ackTime = host.now();
      // client-output-buffer-limit replica counts the stream, not the snapshot.
      if (c !== undefined) c.outputExempt = file.length;
    }
    host.flush();
  }
}
