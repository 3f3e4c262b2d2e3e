/**
 * Transactions (Redis's multi.c): MULTI queuing, EXEC and DISCARD, and the WATCHed keys whose
 * change makes EXEC fail.
 *
 * @packageDocumentation
 */
import type { Client } from './client';
import { CommandError, type CommandDef, type Db } from './command';

/** A command queued by MULTI, with its arguments copied out of the read buffer. */
export interface QueuedCommand {
  readonly def: CommandDef;
  readonly argv: Buffer[];
}

/** What transactions need from the server. */
export interface MultiHost {
  now(): number;
  /** Runs one queued command as the dispatcher would after its checks. */
  call(c: Client, def: CommandDef, argv: Buffer[]): void;
  /**
   * The ACL's check at EXEC time (of a transaction of `queued` commands): the NOPERM error for
   * a command no longer allowed, or null.
   */
  execDenied(c: Client, def: CommandDef, argv: Buffer[], queued: number): string | null;
  /** The AOF's transaction brackets, so that replay is all or nothing. */
  beginTransaction(): void;
  endTransaction(): void;
}

/**
 * One client's WATCH of one key. `expired`: the key was already logically expired when WATCHed
 * (Redis 7.0's watchedKey.expired): its deletion by lazy or active expiry, DEL or FLUSHDB is
 * then no change, and EXEC does not fail for it.
 */
interface Watch {
  expired: boolean;
}

export class Transactions {
  /** Per database: key → the clients WATCHing it. */
  private readonly watchers: Map<string, Map<Client, Watch>>[] = [];

  constructor(
    databases: number,
    private readonly host: MultiHost,
  ) {
    for (let i = 0; i < databases; i++) this.watchers.push(new Map());
  }

  /** Queues a command of a client in MULTI (copying argv out of the read buffer) and replies QUEUED. */
  queue(c: Client, queue: QueuedCommand[], def: CommandDef, argv: Buffer[]): void {
    const copy: Buffer[] = new Array(argv.length);
    for (let i = 0; i < argv.length; i++) copy[i] = Buffer.from(argv[i]);
    queue.push({ def, argv: copy });
    c.reply.queued();
  }

  /** DISCARD, RESET and the end of EXEC: leaves MULTI and forgets the WATCHes. */
  discard(c: Client): void {
    c.multi = null;
    c.multiError = false;
    this.unwatchAll(c);
  }

  /** EXEC: the queued commands' replies in one array, or EXECABORT, or the null array. */
  exec(c: Client): void {
    const queued = c.multi;
    if (queued === null) throw new CommandError('ERR EXEC without MULTI');
    if (this.watchedKeyExpired(c)) c.dirtyCas = true;
    const aborted = c.multiError;
    const dirty = c.dirtyCas;
    this.discard(c);
    if (aborted) throw new CommandError('EXECABORT Transaction discarded because of previous errors.');
    if (dirty) return c.reply.nullArray();
    c.reply.array(queued.length);
    c.inExec = true;
    this.host.beginTransaction();
    try {
      for (const q of queued) {
        // ACL rules may have changed since the command was queued: checked again (one test for the default user).
        const denied = c.user.unrestricted ? null : this.host.execDenied(c, q.def, q.argv, queued.length);
        if (denied === null) this.host.call(c, q.def, q.argv);
        else c.reply.error(denied);
      }
    } finally {
      c.inExec = false;
      this.host.endTransaction();
    }
  }

  /** WATCH: remembers the key so that a change to it makes the client's EXEC fail. */
  watch(c: Client, key: string): void {
    const db = c.db;
    for (const [d, k] of c.watched) if (d === db && k === key) return;
    c.watched.push([db, key]);
    const map = this.watchers[db.index];
    let set = map.get(key);
    if (set === undefined) {
      map.set(key, (set = new Map()));
      db.watching++;
    }
    set.set(c, { expired: this.isExpired(db, key) });
  }

  unwatchAll(c: Client): void {
    for (const [db, key] of c.watched) {
      const map = this.watchers[db.index];
      const set = map.get(key);
      if (set === undefined) continue;
      set.delete(c);
      if (set.size === 0) {
        map.delete(key);
        db.watching--;
      }
    }
    c.watched = [];
    c.dirtyCas = false;
  }

  /** A key changed: its WATCHers' EXEC will fail (unless it was expired and is now gone). */
  touched(db: Db, key: string): void {
    if (db.watching === 0) return;
    const set = this.watchers[db.index].get(key);
    if (set === undefined) return;
    const gone = !db.dict.has(key);
    for (const [c, w] of set) {
      if (w.expired && gone) w.expired = false;
      else c.dirtyCas = true;
    }
  }

  /**
   * FLUSHDB / SWAPDB (Redis's touchAllWatchedKeysInDb): `db` is emptied, and replaced with
   * `replacedWith`'s keys for SWAPDB. A watched key counts as changed when it existed or appears,
   * except an expired key that is gone or stays expired.
   */
  touchAll(db: Db, replacedWith?: Db): void {
    if (db.watching === 0) return;
    for (const [key, set] of this.watchers[db.index]) {
      const existed = db.dict.has(key);
      const appears = replacedWith !== undefined && replacedWith.dict.has(key);
      if (!existed && !appears) continue;
      const appearsExpired = appears && replacedWith !== undefined && this.isExpired(replacedWith, key);
      for (const [c, w] of set) {
        if (w.expired) {
          if (!appears) w.expired = false;
          else if (!appearsExpired) c.dirtyCas = true;
        } else if (!existed && appearsExpired) w.expired = true;
        else c.dirtyCas = true;
      }
    }
  }

  /** True when `key` is in `db` but its time has come (not yet reclaimed). */
  private isExpired(db: Db, key: string): boolean {
    const at = db.getExpire(key);
    return at !== undefined && at <= this.host.now() && db.dict.has(key);
  }

  /** A WATCHed key that has expired since counts as touched (Redis 7 does the same). */
  private watchedKeyExpired(c: Client): boolean {
    for (const [db, key] of c.watched) {
      if (this.watchers[db.index].get(key)?.get(c)?.expired === true) continue;
      if (this.isExpired(db, key)) return true;
    }
    return false;
  }
}
