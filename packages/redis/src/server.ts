/**
 * The Redis server without its transport: keyspace, clients, the dispatch loop (auth, arity,
 * MULTI queuing, pub/sub restrictions), blocking pops, pub/sub fan-out, expiry and the AOF.
 * `listen.ts` connects it to the nevio reactor; tests can also feed it bytes directly.
 *
 * @packageDocumentation
 */
import { Client } from './client';
import { type BlockSpec, type CommandDef, type ServerHandle, type TypeOpsTable } from './command';
import { buildCommandTable } from './commands';
import type { Config } from './config';
import { CommandError, arityError } from './errors';
import { globMatch } from './glob';
import { Db, KeyspaceHooks, updateClock } from './keyspace';
import type { Aof } from './aof';
import { ProtocolError } from './parser';
import { typeOps } from './types';

/** Counters reported by INFO stats. */
export interface Stats {
  totalConnections: number;
  totalCommands: number;
  expiredKeys: number;
  evictedKeys: number;
  rejectedConnections: number;
  pubsubMessages: number;
}

/** Where the server reports what it cannot answer to a client. */
export interface ServerLog {
  warn(msg: string): void;
  error(msg: string): void;
}

const PUBSUB_OUTPUT_LIMIT = 32 * 1024 * 1024;
const PUBSUB_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/** A command with its name as a Buffer, which replaces argv[0] (see RespParser.nameStart). */
interface NamedDef {
  def: CommandDef;
  name: Buffer;
}

/** True when `data` at `start` holds `lower` (a lower-case ASCII name), ignoring case. */
function sameName(data: Buffer, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) if ((data[start + i] | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** A command name or argument in an error message: as Redis's `%.128s`, cut at NUL. */
function clip(arg: Buffer, room = 128): string {
  let s = arg.latin1Slice(0, Math.min(arg.length, room));
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  return s;
}

export class RedisServer implements ServerHandle, KeyspaceHooks {
  readonly dbs: Db[] = [];
  readonly clients = new Map<number, Client>();
  readonly commands: Map<string, CommandDef>;
  readonly typeOps: TypeOpsTable = typeOps;
  readonly stats: Stats = { totalConnections: 0, totalCommands: 0, expiredKeys: 0, evictedKeys: 0, rejectedConnections: 0, pubsubMessages: 0 };
  readonly startedAt = Date.now();
  /** Changes since start (Redis's server.dirty): a command that raised it is logged to the AOF. */
  dirty = 0;
  /** Channel/pattern → subscribers. */
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();
  aof: Aof | null = null;
  /** Set by SHUTDOWN and signals; `listen.ts` stops the reactor. */
  onShutdown: (() => void) | null = null;
  /** The address actually listened on, for INFO and the banner. */
  tcpPort = 0;
  /** Cached dataset memory estimate, refreshed on ticks (INFO, maxmemory). */
  usedMemory = 0;

  private nowMs = Date.now();
  private nextClientId = 1;
  /** Command names as sent (e.g. `GET`) → definition, so the hot path skips lower-casing. */
  private readonly byRaw = new Map<string, NamedDef>();
  private readonly byCode = new Map<number, NamedDef>();
  private readonly flushQueue: Client[] = [];
  private readonly watchers: Map<string, Set<Client>>[] = [];
  private readonly blocking: Map<string, Client[]>[] = [];
  private readyKeys: [Db, string][] = [];
  private readonly readySeen = new Set<string>();

  constructor(
    readonly config: Config,
    readonly log: ServerLog = { warn: (m) => console.warn(m), error: (m) => console.error(m) },
  ) {
    for (let i = 0; i < config.databases; i++) {
      this.dbs.push(new Db(i, this));
      this.watchers.push(new Map());
      this.blocking.push(new Map());
    }
    this.commands = buildCommandTable();
    for (const d of this.commands.values()) {
      const n = d.name.length;
      if (n > 6) continue;
      let code = n;
      for (let i = 0; i < n; i++) code = code * 256 + (d.name.charCodeAt(i) | 0x20);
      this.byCode.set(code, { def: d, name: Buffer.from(d.name) });
    }
  }

  now(): number {
    return this.nowMs;
  }

  /** Refreshes the cached clock; called at the start of each batch of events. */
  updateTime(): void {
    this.nowMs = Date.now();
  }

  // --- keyspace hooks ---

  touched(db: Db, key: string): void {
    this.dirty++;
    if (db.watching !== 0) {
      const set = this.watchers[db.index].get(key);
      if (set !== undefined) for (const c of set) c.dirtyCas = true;
    }
    if (this.aof !== null) this.aof.keyTouched(db.index, key);
  }

  ready(db: Db, key: string): void {
    if (!this.blocking[db.index].has(key)) return;
    const id = `${db.index}\0${key}`;
    if (this.readySeen.has(id)) return;
    this.readySeen.add(id);
    this.readyKeys.push([db, key]);
  }

  expired(db: Db, key: string): void {
    this.stats.expiredKeys++;
    if (this.aof !== null) this.aof.feed(db.index, ['DEL', key]);
  }

  // --- clients ---

  /** Creates the state of a new connection (`conn` null for internal clients). */
  newClient(conn: Client['conn']): Client {
    const c = new Client(this.nextClientId++, this, conn);
    if (conn !== null) {
      this.clients.set(c.id, c);
      this.stats.totalConnections++;
    }
    return c;
  }

  /** Releases everything a departing client holds: subscriptions, watches, blocking. */
  freeClient(c: Client): void {
    if (c.blocked !== null) this.unblock(c);
    this.unwatchAll(c);
    for (const ch of c.channels) this.unsubscribe(c, ch, false);
    for (const p of c.patterns) this.unsubscribe(c, p, true);
    c.reply.discard();
    c.parser.reset();
    this.clients.delete(c.id);
  }

  /** Called by a Reply when it gets its first bytes since the last flush. */
  needsFlush(c: Client): void {
    this.flushQueue.push(c);
  }

  /**
   * Ends a batch: the AOF is written (and fsynced under `always`) first, then every client with
   * replies hands them to its connection, so nothing is acknowledged before it is logged.
   */
  flush(): void {
    if (this.aof !== null) this.aof.endBatch();
    const q = this.flushQueue;
    for (let i = 0; i < q.length; i++) q[i].reply.flush();
    q.length = 0;
  }

  /**
   * Parses and runs the commands in `data`; returns how many bytes were consumed. Stops early
   * when the client blocks or is closing; the rest is presented again later.
   */
  processInput(c: Client, data: Buffer): number {
    const len = data.length;
    const parser = c.parser;
    let pos = 0;
    while (pos < len && c.blocked === null && !c.closing) {
      let end: number;
      try {
        end = parser.parse(data, pos);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        c.reply.error(`ERR Protocol error: ${err.message}`);
        c.closing = true;
        return len;
      }
      if (end < 0) {
        pos = parser.consumed;
        if (len - pos + parser.held > this.config['client-query-buffer-limit']) {
          this.log.warn(`Closing client id=${c.id} that reached max query buffer length`);
          c.closing = true;
          return len;
        }
        break;
      }
      pos = end;
      const argv = parser.argv;
      if (argv.length === 0) continue;
      let def: CommandDef | undefined;
      if (parser.nameStart >= 0) {
        const named = this.lookupBytes(data, parser.nameStart, parser.nameEnd);
        if (named !== undefined) {
          def = named.def;
          argv[0] = named.name;
        } else argv[0] = data.subarray(parser.nameStart, parser.nameEnd);
      } else def = this.lookup(argv[0]);
      this.execute(c, argv, def);
    }
    return pos;
  }

  /** Looks a command up by name, case-insensitively. */
  lookup(name: Buffer): CommandDef | undefined {
    return this.lookupBytes(name, 0, name.length)?.def;
  }

  /** Looks up the command named by `data[start, end)`. */
  private lookupBytes(data: Buffer, start: number, end: number): NamedDef | undefined {
    const n = end - start;
    if (n <= 6) {
      // Short names (GET, SET, LPUSH…) are looked up by their case-folded bytes as a number,
      // without decoding a string; the match is then checked byte by byte.
      let code = n;
      for (let i = start; i < end; i++) code = code * 256 + (data[i] | 0x20);
      const d = this.byCode.get(code);
      if (d !== undefined && sameName(data, start, d.def.name)) return d;
    }
    const raw = data.latin1Slice(start, end);
    let d = this.byRaw.get(raw);
    if (d === undefined) {
      const def = this.commands.get(raw.toLowerCase());
      if (def === undefined) return undefined;
      d = { def, name: Buffer.from(def.name) };
      if (this.byRaw.size < 1024) this.byRaw.set(raw, d);
    }
    return d;
  }

  /** Runs one command the way Redis's processCommand does: every check, then the call. */
  execute(c: Client, argv: Buffer[], def = this.lookup(argv[0])): void {
    c.lastInteraction = this.nowMs;
    if (def === undefined) {
      let args = '';
      for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${clip(argv[i], 128 - args.length)}' `;
      return this.reject(c, `ERR unknown command '${clip(argv[0])}', with args beginning with: ${args}`);
    }
    const arity = def.arity;
    if (arity > 0 ? argv.length !== arity : argv.length < -arity) return this.reject(c, arityError(def.name));
    if (!c.authenticated && def.flags.indexOf('no_auth') < 0) return this.reject(c, 'NOAUTH Authentication required.');
    if (c.multi !== null && def.flags.indexOf('no_multi') >= 0) return this.reject(c, 'ERR Command not allowed inside a transaction');
    if (c.reply.proto === 2 && c.subscribed && !PUBSUB_ALLOWED.has(def.name)) {
      return this.reject(
        c,
        `ERR Can't execute '${def.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      );
    }
    if (this.config.maxmemory > 0 && def.flags.indexOf('denyoom') >= 0 && !this.ensureMemory()) {
      return this.reject(c, "OOM command not allowed when used memory > 'maxmemory'.");
    }
    if (c.multi !== null && !NOT_QUEUED.has(def.name)) {
      const copy: Buffer[] = new Array(argv.length);
      for (let i = 0; i < argv.length; i++) copy[i] = Buffer.from(argv[i]);
      c.multi.push({ def, argv: copy });
      c.reply.queued();
      return;
    }
    this.call(c, def, argv);
    if (this.readyKeys.length !== 0) this.serveBlocked();
  }

  private reject(c: Client, msg: string): void {
    if (c.multi !== null) c.multiError = true;
    c.reply.error(msg);
  }

  /** Runs a command and logs it to the AOF if it changed the dataset. */
  call(c: Client, def: CommandDef, argv: Buffer[]): void {
    const dirtyBefore = this.dirty;
    const db = c.db;
    c.propagated = null;
    try {
      def.run(c, argv);
    } catch (err) {
      if (err instanceof CommandError) c.reply.error(err.message);
      else {
        this.log.error(`'${def.name}' failed: ${(err as Error)?.stack ?? String(err)}`);
        c.reply.error(`ERR internal error in '${def.name}'`);
      }
    }
    this.stats.totalCommands++;
    c.lastCommand = def.name;
    if (this.aof !== null) {
      // `run` may have called propagate(), which TypeScript cannot see.
      const propagated = c.propagated as (Buffer | string)[][] | null;
      if (propagated !== null) {
        for (const p of propagated) this.aof.feed(db.index, p);
      } else if (this.dirty !== dirtyBefore && def.flags.indexOf('write') >= 0) {
        this.aof.feed(db.index, argv);
      }
    }
    c.propagated = null;
  }

  // --- transactions ---

  /** WATCH: remembers the key so that a change to it makes the client's EXEC fail. */
  watch(c: Client, key: string): void {
    const db = c.db;
    for (const [d, k] of c.watched) if (d === db && k === key) return;
    c.watched.push([db, key]);
    const map = this.watchers[db.index];
    let set = map.get(key);
    if (set === undefined) {
      map.set(key, (set = new Set()));
      db.watching++;
    }
    set.add(c);
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

  /** A WATCHed key that has expired since counts as touched (Redis 7 does the same). */
  watchedKeyExpired(c: Client): boolean {
    for (const [db, key] of c.watched) {
      const at = db.getExpire(key);
      if (at !== undefined && at <= this.nowMs && db.dict.has(key)) return true;
    }
    return false;
  }

  /** Marks every client watching a key of `db` that exists (FLUSHDB, SWAPDB). */
  touchAllWatched(db: Db, alsoIfIn?: Db): void {
    if (db.watching === 0) return;
    for (const [key, set] of this.watchers[db.index]) {
      if (db.dict.has(key) || (alsoIfIn !== undefined && alsoIfIn.dict.has(key))) for (const c of set) c.dirtyCas = true;
    }
  }

  // --- blocking ---

  blockClient(c: Client, spec: BlockSpec): void {
    const db = c.db;
    const state = { spec, db, timer: null as NodeJS.Timeout | null };
    c.blocked = state;
    const map = this.blocking[db.index];
    for (const key of spec.keys) {
      let list = map.get(key);
      if (list === undefined) map.set(key, (list = []));
      if (list.indexOf(c) < 0) list.push(c);
    }
    if (spec.timeoutMs > 0) {
      state.timer = setTimeout(() => {
        if (c.blocked !== state) return;
        this.updateTime();
        this.unblock(c);
        if (spec.timedOut !== undefined) spec.timedOut(c.reply);
        else c.reply.nullArray();
        this.resume(c);
        this.flush();
      }, spec.timeoutMs);
    }
  }

  /** Takes a client out of the blocked state (served, timed out, killed or gone). */
  unblock(c: Client): void {
    const state = c.blocked;
    if (state === null) return;
    c.blocked = null;
    if (state.timer !== null) clearTimeout(state.timer);
    const map = this.blocking[state.db.index];
    for (const key of state.spec.keys) {
      const list = map.get(key);
      if (list === undefined) continue;
      const i = list.indexOf(c);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) map.delete(key);
    }
  }

  /** Number of clients in a blocking command (INFO clients). */
  blockedCount(): number {
    let n = 0;
    for (const c of this.clients.values()) if (c.blocked !== null) n++;
    return n;
  }

  /** Lets an unblocked client's pipelined commands run (the reactor calls `react` again). */
  private resume(c: Client): void {
    if (c.conn !== null && !c.conn.closed) c.conn.wake();
  }

  /** Serves clients blocked on keys that commands signalled ready, in blocking order. */
  private serveBlocked(): void {
    while (this.readyKeys.length !== 0) {
      const batch = this.readyKeys;
      this.readyKeys = [];
      this.readySeen.clear();
      for (const [db, key] of batch) {
        const list = this.blocking[db.index].get(key);
        if (list === undefined) continue;
        for (const c of list.slice()) {
          const state = c.blocked;
          if (state === null || state.db !== db) continue;
          if (!db.exists(key)) break;
          c.propagated = null;
          let served: boolean;
          try {
            served = state.spec.serve(c, key);
          } catch (err) {
            // The blocked client gets the error as its reply; a bug must not leave it stuck.
            if (err instanceof CommandError) c.reply.error(err.message);
            else {
              this.log.error(`serving a blocked client failed: ${(err as Error)?.stack ?? String(err)}`);
              c.reply.error('ERR internal error serving a blocked command');
            }
            served = true;
          }
          if (!served) continue;
          const propagated = c.propagated as (Buffer | string)[][] | null;
          if (this.aof !== null && propagated !== null) for (const p of propagated) this.aof.feed(db.index, p);
          c.propagated = null;
          this.unblock(c);
          this.resume(c);
        }
      }
    }
  }

  // --- pub/sub ---

  subscribe(c: Client, name: string, pattern: boolean): void {
    const own = pattern ? c.patterns : c.channels;
    if (own.has(name)) return;
    own.add(name);
    const map = pattern ? this.patterns : this.channels;
    let set = map.get(name);
    if (set === undefined) map.set(name, (set = new Set()));
    set.add(c);
  }

  /** Returns true when the client was subscribed. */
  unsubscribe(c: Client, name: string, pattern: boolean): boolean {
    const own = pattern ? c.patterns : c.channels;
    if (!own.delete(name)) return false;
    const map = pattern ? this.patterns : this.channels;
    const set = map.get(name);
    if (set !== undefined) {
      set.delete(c);
      if (set.size === 0) map.delete(name);
    }
    return true;
  }

  /** Delivers a message to channel and pattern subscribers; returns how many received it. */
  publish(channel: string, message: Buffer): number {
    let n = 0;
    const subs = this.channels.get(channel);
    if (subs !== undefined) {
      for (const c of subs) {
        if (this.outputOverLimit(c)) continue;
        const r = c.reply;
        r.push(3);
        r.bulk('message');
        r.bulkKey(channel);
        r.bulk(message);
        n++;
      }
    }
    for (const [pat, set] of this.patterns) {
      if (!globMatch(pat, channel)) continue;
      for (const c of set) {
        if (this.outputOverLimit(c)) continue;
        const r = c.reply;
        r.push(4);
        r.bulk('pmessage');
        r.bulkKey(pat);
        r.bulkKey(channel);
        r.bulk(message);
        n++;
      }
    }
    this.stats.pubsubMessages++;
    return n;
  }

  /**
   * A subscriber that does not read its messages is disconnected once 32 MB wait for it
   * (Redis's `client-output-buffer-limit pubsub` hard limit), rather than growing without bound.
   */
  private outputOverLimit(c: Client): boolean {
    const conn = c.conn;
    if (conn === null || conn.outboundBuffered <= PUBSUB_OUTPUT_LIMIT) return false;
    this.log.warn(`Client id=${c.id} closed for overcoming of output buffer limits.`);
    this.freeClient(c);
    c.closing = true;
    conn.close();
    return true;
  }

  // --- expiry and memory ---

  /**
   * Active expiry, once per tick: samples keys with a TTL in each database (20 at a time, from
   * where the last cycle stopped) and deletes the expired ones, repeating while more than a
   * tenth of a sample had expired, within a time budget so a mass expiry cannot stall the loop.
   */
  activeExpireCycle(budgetMs = 5): void {
    this.updateTime();
    updateClock(this.nowMs);
    const deadline = performance.now() + budgetMs;
    for (const db of this.dbs) {
      if (db.expires.size === 0) continue;
      for (;;) {
        let sampled = 0;
        let expired = 0;
        let it = db.expireCursor ?? db.expires.entries();
        while (sampled < 20) {
          let r = it.next();
          if (r.done) {
            it = db.expires.entries();
            r = it.next();
            if (r.done) break;
          }
          sampled++;
          const [key, at] = r.value;
          if (at <= this.nowMs) {
            db.lookupWrite(key);
            expired++;
          }
        }
        db.expireCursor = it;
        if (sampled === 0 || expired * 10 <= sampled || performance.now() > deadline) break;
      }
      if (performance.now() > deadline) break;
    }
  }

  /** Refreshes {@link RedisServer.usedMemory} (the V8 heap plus Buffer memory). */
  measureMemory(): void {
    const m = process.memoryUsage();
    this.usedMemory = m.heapUsed + m.arrayBuffers;
  }

  /**
   * Before a command that may grow memory, under `maxmemory`: evicts with the allkeys-lru
   * approximation (the least recently used of 5 sampled keys, repeatedly), or refuses.
   */
  private ensureMemory(): boolean {
    if (this.usedMemory <= this.config.maxmemory) return true;
    if (this.config['maxmemory-policy'] !== 'allkeys-lru') return false;
    let keys = 0;
    for (const db of this.dbs) keys += db.size;
    if (keys === 0) return false;
    const perKey = this.usedMemory / keys;
    let toFree = Math.min(64, Math.ceil((this.usedMemory - this.config.maxmemory) / Math.max(perKey, 1)));
    while (toFree-- > 0) {
      let best: [Db, string, number] | null = null;
      for (const db of this.dbs) {
        for (let i = 0; i < 5; i++) {
          const s = db.sample(Math.floor(Math.random() * 16));
          if (s === undefined) break;
          if (best === null || s[1].lru < best[2]) best = [db, s[0], s[1].lru];
        }
      }
      if (best === null) break;
      best[0].delete(best[1]);
      if (this.aof !== null) this.aof.feed(best[0].index, ['DEL', best[1]]);
      this.stats.evictedKeys++;
      this.usedMemory -= perKey;
    }
    return true;
  }

  /**
   * Closes clients idle for longer than `timeout` seconds (0: never), except blocked and
   * subscribed ones, which are idle by design.
   */
  closeIdleClients(): void {
    const limit = this.config.timeout * 1000;
    if (limit <= 0) return;
    for (const c of this.clients.values()) {
      if (c.blocked !== null || c.subscribed || this.nowMs - c.lastInteraction <= limit) continue;
      this.freeClient(c);
      c.closing = true;
      c.conn?.close();
    }
  }

  /** Asks the transport to stop (SHUTDOWN). */
  requestShutdown(): void {
    if (this.onShutdown !== null) this.onShutdown();
  }
}
