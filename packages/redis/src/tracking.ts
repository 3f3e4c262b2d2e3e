/**
 * Client-side caching (Redis's tracking.c): which clients may hold which keys, and the
 * invalidation messages they get when those keys change.
 *
 * - Default mode: the keys a tracking client read (read-only commands) are remembered per key
 *   name (across databases, as in Redis); the first change of such a key sends one invalidation
 *   to each client that read it, and forgets it for them.
 * - BCAST mode: clients subscribe to key prefixes; every key changed under a prefix is collected
 *   and sent once per batch of events, one message per prefix.
 * - Delivery: a RESP3 `invalidate` push to the client itself, or to its REDIRECT client, which
 *   in RESP2 gets a message on `__redis__:invalidate` when it is subscribed to something.
 *   Messages for the client whose command changed the key wait until that command replied.
 *
 * @packageDocumentation
 */
import type { Client } from './client';
import {
  CLIENT_TRACKING,
  CLIENT_TRACKING_BCAST,
  CLIENT_TRACKING_BROKEN_REDIR,
  CLIENT_TRACKING_CACHING,
  CLIENT_TRACKING_NOLOOP,
  CLIENT_TRACKING_OPTIN,
  CLIENT_TRACKING_OPTOUT,
  CMD_PUBSUB,
  CMD_READONLY,
  keyOf,
  keyPositions,
  type CommandDef,
  type TrackingStats,
} from './command';

/**
 * Read-only script commands: what they read is remembered from the commands the script runs,
 * not from their own keys (Redis's call() skips them).
 */
const READONLY_SCRIPTS = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro']);
/** The channel RESP2 redirect clients receive invalidations on. */
const INVALIDATE_CHANNEL = '__redis__:invalidate';
/** Keys forgotten per command when over `tracking-table-max-keys`, growing by this much each time it is not enough (Redis's effort). */
const LIMIT_EFFORT_STEP = 100;
/** Every tracking bit, cleared by CLIENT TRACKING OFF. */
const ALL_TRACKING_BITS =
  CLIENT_TRACKING | CLIENT_TRACKING_BROKEN_REDIR | CLIENT_TRACKING_BCAST | CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_CACHING | CLIENT_TRACKING_NOLOOP;

/** What tracking needs from the server. */
export interface TrackingHost {
  /** Connected clients by id (redirect targets, tracked ids). */
  readonly clients: ReadonlyMap<number, Client>;
  /** The client whose command runs now (NOLOOP; deferred messages), null outside commands. */
  readonly current: Client | null;
  /** True while a command runs (a message to its own client then waits for its reply). */
  readonly inCommand: boolean;
}

/** The keys changed under one BCAST prefix since the last broadcast, and who listens. */
interface Prefix {
  /** Key → the client whose command changed it last (null: expiry, eviction), for NOLOOP. */
  keys: Map<string, Client | null>;
  readonly clients: Set<Client>;
}

export class Tracking implements TrackingStats {
  /** Clients with tracking on (INFO tracking_clients); 0 keeps every hook to one test. */
  clients = 0;
  /** Key → ids of the clients that may cache it. Ids of clients gone are dropped lazily. */
  private table = new Map<string, Set<number>>();
  /** Client ids stored over the whole table (INFO tracking_total_items). */
  items = 0;
  private readonly prefixTable = new Map<string, Prefix>();
  /** A prefix collected keys since the last broadcast. */
  private broadcastDue = false;
  /** Invalidations for the running command's own client: sent after its reply (null: all keys). */
  private pending: (string | null)[] = [];
  /** Other clients owed an "every key" invalidation by the running command's flush. */
  private flushTargets: Client[] | null = null;
  /** A tracking client whose running script ran a read command: its declared keys are remembered. */
  private scriptReadFor: Client | null = null;
  /** How many commands in a row found the table over its limit (the effort grows with it). */
  private overLimitRuns = 0;

  constructor(private readonly host: TrackingHost) {}

  get keys(): number {
    return this.table.size;
  }

  get prefixes(): number {
    return this.prefixTable.size;
  }

  /** True when messages wait for the end of the running command. */
  get hasPending(): boolean {
    return this.pending.length !== 0 || this.flushTargets !== null;
  }

  /**
   * CLIENT TRACKING ON (the options were checked): `redirect` 0 for none, `options` the
   * BCAST/OPTIN/OPTOUT/NOLOOP bits, `prefixes` for BCAST (none: every key).
   */
  enable(c: Client, redirect: number, options: number, prefixes: readonly string[]): void {
    if ((c.tracking & CLIENT_TRACKING) === 0) this.clients++;
    c.tracking =
      (c.tracking & ~(CLIENT_TRACKING_BROKEN_REDIR | CLIENT_TRACKING_BCAST | CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP)) |
      CLIENT_TRACKING |
      (options & (CLIENT_TRACKING_BCAST | CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP));
    c.trackingRedirect = redirect;
    if ((options & CLIENT_TRACKING_BCAST) === 0) return;
    for (const prefix of prefixes.length === 0 ? [''] : prefixes) {
      let p = this.prefixTable.get(prefix);
      if (p === undefined) this.prefixTable.set(prefix, (p = { keys: new Map(), clients: new Set() }));
      p.clients.add(c);
      (c.trackingPrefixes ??= new Set()).add(prefix);
    }
  }

  /** CLIENT TRACKING OFF, RESET, disconnection. The keys it read are forgotten lazily. */
  disable(c: Client): void {
    if (c.trackingPrefixes !== null) {
      for (const prefix of c.trackingPrefixes) {
        const p = this.prefixTable.get(prefix);
        if (p === undefined) continue;
        p.clients.delete(c);
        if (p.clients.size === 0) this.prefixTable.delete(prefix);
      }
      c.trackingPrefixes = null;
    }
    if ((c.tracking & CLIENT_TRACKING) === 0) return;
    c.tracking &= ~ALL_TRACKING_BITS;
    // Without tracking clients every id in the table is stale: drop them all at once.
    if (--this.clients === 0) this.reset();
  }

  /**
   * After each command while tracking clients exist: `c` ran `def`; `current` is the client
   * whose input runs (a script's commands run as another client); `outermost` when no command
   * encloses it. Remembers the keys a tracking client read (for a script that ran a read
   * command: the keys it declared), then sends what waited for the reply.
   */
  commandRan(c: Client, def: CommandDef, argv: readonly Buffer[], current: Client | null, outermost: boolean): void {
    if ((def.flags & CMD_READONLY) !== 0) {
      if (c.tracking !== 0) {
        if (!READONLY_SCRIPTS.has(def.name)) this.remember(c, def, argv);
      } else if (c.conn === null && current !== null && current !== c && (current.tracking & CLIENT_TRACKING) !== 0) {
        this.scriptReadFor = current;
      }
    }
    if (this.scriptReadFor === c) {
      this.scriptReadFor = null;
      this.remember(c, def, argv);
    }
    if (outermost && this.hasPending) this.sendPending(c);
  }

  /** Remembers the keys `c` read with `def` (not in BCAST mode; OPTIN/OPTOUT as CACHING says). */
  private remember(c: Client, def: CommandDef, argv: readonly Buffer[]): void {
    const t = c.tracking;
    if ((t & CLIENT_TRACKING_BCAST) !== 0) return;
    const caching = (t & CLIENT_TRACKING_CACHING) !== 0;
    if (((t & CLIENT_TRACKING_OPTIN) !== 0 && !caching) || ((t & CLIENT_TRACKING_OPTOUT) !== 0 && caching)) return;
    // Shard channels are keys for cluster routing only, never cached.
    if ((def.flags & CMD_PUBSUB) !== 0) return;
    for (const pos of keyPositions(def, argv)) {
      const key = keyOf(argv[pos]);
      let ids = this.table.get(key);
      if (ids === undefined) this.table.set(key, (ids = new Set()));
      if (!ids.has(c.id)) {
        ids.add(c.id);
        this.items++;
      }
    }
  }

  /** A key changed (`by` the client whose command changed it; null for expiry and eviction). */
  invalidate(key: string, by: Client | null): void {
    if (this.prefixTable.size !== 0) {
      for (const [prefix, p] of this.prefixTable) {
        if (!key.startsWith(prefix)) continue;
        p.keys.set(key, by);
        this.broadcastDue = true;
      }
    }
    this.invalidateReaders(key);
  }

  /** Sends the invalidation of `key` to the clients that read it, and forgets them. */
  private invalidateReaders(key: string): void {
    const ids = this.table.get(key);
    if (ids === undefined) return;
    const { clients, current, inCommand } = this.host;
    for (const id of ids) {
      const target = clients.get(id);
      // A client that switched to BCAST since reading gets no default-mode messages.
      if (target === undefined || (target.tracking & (CLIENT_TRACKING | CLIENT_TRACKING_BCAST)) !== CLIENT_TRACKING) continue;
      if (target === current) {
        if ((target.tracking & CLIENT_TRACKING_NOLOOP) !== 0) continue;
        if (inCommand) {
          this.pending.push(key);
          continue;
        }
      }
      this.send(target, [key]);
    }
    this.items -= ids.size;
    this.table.delete(key);
  }

  /**
   * FLUSHDB/FLUSHALL: every tracking client learns that all its keys are invalid (a null
   * instead of the key array), once per command however many databases it emptied.
   */
  flushed(): void {
    this.reset();
    if (this.clients === 0 || this.flushTargets !== null) return;
    const { current, inCommand } = this.host;
    const targets: Client[] = [];
    for (const c of this.host.clients.values()) if ((c.tracking & CLIENT_TRACKING) !== 0) targets.push(c);
    if (!inCommand) {
      for (const c of targets) this.send(c, null);
      return;
    }
    this.flushTargets = targets.filter((c) => c !== current);
    if (current !== null && targets.includes(current)) this.pending.push(null);
  }

  /** At the end of a command: the messages that waited for its reply (to `c`, its client). */
  sendPending(c: Client): void {
    const others = this.flushTargets;
    this.flushTargets = null;
    if (others !== null) for (const o of others) this.send(o, null);
    const keys = this.pending;
    this.pending = [];
    if (c.conn !== null && c.conn.closed) return;
    for (const key of keys) this.send(c, key === null ? null : [key]);
  }

  /** Once per batch of events: each BCAST prefix's changed keys to its clients. */
  broadcast(): void {
    if (!this.broadcastDue) return;
    this.broadcastDue = false;
    for (const p of this.prefixTable.values()) {
      if (p.keys.size === 0) continue;
      const all = [...p.keys.keys()];
      for (const c of p.clients) {
        if ((c.tracking & CLIENT_TRACKING_NOLOOP) === 0) {
          this.send(c, all);
          continue;
        }
        const others = all.filter((k) => p.keys.get(k) !== c);
        if (others.length !== 0) this.send(c, others);
      }
      p.keys = new Map();
    }
  }

  /**
   * Before each command: above `tracking-table-max-keys` (0: no limit), forgets keys (oldest
   * first) as if they changed, so their readers drop them, with an effort of 100 keys that grows
   * by 100 for each command that still found the table too big.
   */
  limit(maxKeys: number): void {
    if (maxKeys === 0 || this.table.size <= maxKeys) {
      this.overLimitRuns = 0;
      return;
    }
    let effort = LIMIT_EFFORT_STEP * (this.overLimitRuns + 1);
    for (const key of this.table.keys()) {
      if (effort-- <= 0) break;
      this.invalidateReaders(key);
      if (this.table.size <= maxKeys) {
        this.overLimitRuns = 0;
        return;
      }
    }
    this.overLimitRuns++;
  }

  /** Forgets every remembered key (flushes, no tracking client left). */
  private reset(): void {
    this.table = new Map();
    this.items = 0;
  }

  /**
   * Delivers one invalidation for `c` (`keys` null: every key): to its redirect client when it
   * has one (a `tracking-redir-broken` push to `c` when that client is gone), as a RESP3 push,
   * or in RESP2 as a `__redis__:invalidate` message to a subscribed redirect client; a RESP2
   * client without redirect cannot receive pushes and gets nothing.
   */
  private send(c: Client, keys: readonly string[] | null): void {
    let target = c;
    if (c.trackingRedirect !== 0) {
      const redirect = this.host.clients.get(c.trackingRedirect);
      if (redirect === undefined) {
        c.tracking |= CLIENT_TRACKING_BROKEN_REDIR;
        if (c.protocol === 3) {
          const out = c.out;
          out.push(2);
          out.bulk('tracking-redir-broken');
          out.integer(c.trackingRedirect);
        }
        return;
      }
      target = redirect;
    }
    const out = target.out;
    if (target.protocol === 3) {
      out.push(2);
      out.bulk('invalidate');
    } else if (target !== c && target.subscribed) {
      out.push(3);
      out.bulk('message');
      out.bulk(INVALIDATE_CHANNEL);
    } else return;
    if (keys === null) {
      out.nil();
      return;
    }
    out.array(keys.length);
    for (const key of keys) out.bulkKey(key);
  }
}
