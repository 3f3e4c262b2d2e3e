// Differential-test plumbing for the data-type commands: a real redis-server on a spare loopback
// port, a raw RESP connection that returns each reply's exact bytes, and an in-process runner
// that executes nevio's command definitions against a keyspace and returns their exact bytes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { freePort } from '../support/ports';
import { defaultConfig } from '../../src/config';
import { CommandError } from '../../src/errors';
import { Db, type KeyspaceHooks } from '../../src/keyspace';
import { DEFAULT_SAMPLES, KEY_OVERHEAD } from '../../src/memory-sample';
import { Reply } from '../../src/reply';
import type { ClientState, CommandContext, CommandDef, ServerContext } from '../../src/command';
import { typeCommands, typeOps } from '../../src/types';

export type Arg = string | Buffer;

/** RESP request encoding of one command. */
export function encode(args: Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Length of the complete RESP2/RESP3 reply at `pos`, or -1 when more bytes are needed. */
export function replyLength(buf: Buffer, pos = 0): number {
  if (pos >= buf.length) return -1;
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return -1;
  const type = String.fromCharCode(buf[pos]);
  const head = eol + 2 - pos;
  const n = Number(buf.latin1Slice(pos + 1, eol));
  switch (type) {
    case '$':
    case '=':
    case '!':
      if (n < 0) return head;
      return buf.length >= eol + 2 + n + 2 ? head + n + 2 : -1;
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      if (n < 0) return head;
      const items = type === '%' || type === '|' ? n * 2 : n;
      let p = eol + 2;
      for (let i = 0; i < items; i++) {
        const l = replyLength(buf, p);
        if (l < 0) return -1;
        p += l;
      }
      return p - pos;
    }
    default:
      return head;
  }
}

/** A raw RESP connection that hands back each reply as bytes. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: ((b: Buffer) => void)[] = [];

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const len = replyLength(this.buf);
        if (len < 0 || this.waiters.length === 0) break;
        const reply = this.buf.subarray(0, len);
        this.buf = this.buf.subarray(len);
        (this.waiters.shift() as (b: Buffer) => void)(Buffer.from(reply));
      }
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.createConnection({ host: '127.0.0.1', port }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Sends one command and resolves with its reply's bytes. */
  send(args: Arg[]): Promise<Buffer> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.sock.write(encode(args));
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

/** A redis-server child on a spare loopback port, without persistence. */
export class RealRedis {
  private constructor(
    readonly port: number,
    private readonly proc: ChildProcess,
  ) {}

  static async start(): Promise<RealRedis> {
    const port = await freePort();
    // A directory of its own: SYNC and DEBUG RELOAD make redis-server write dump.rdb there,
    // not into the checkout.
    const dir = mkdtempSync(join(tmpdir(), 'nevio-redis-server-'));
    // Not under the sanitizer run's LD_PRELOAD: redis-server is the oracle, not code under test.
    const env = { ...process.env };
    delete env.LD_PRELOAD;
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore', env });
    proc.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    for (let i = 0; i < 100; i++) {
      try {
        const c = await RawClient.connect(port);
        c.close();
        return new RealRedis(port, proc);
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    proc.kill('SIGKILL');
    throw new Error('redis-server did not start');
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.proc.exitCode !== null) return resolve();
      this.proc.once('exit', () => resolve());
      this.proc.kill('SIGTERM');
    });
  }
}

const table = new Map<string, CommandDef>(typeCommands.map((c) => [c.name, c]));

/**
 * Runs nevio's data-type commands in process, against one keyspace, with just enough of the
 * generic commands (DEL, TYPE, OBJECT ENCODING, SET, HELLO, FLUSHALL) to drive the scripts.
 * Blocking commands may only be run where they would not block.
 */
export class Local {
  private out: Buffer[] = [];
  private readonly reply = new Reply((c) => this.out.push(Buffer.from(c)));
  private now = Date.now();
  readonly db: Db;
  /** What commands asked to log instead of themselves. */
  readonly propagated: Arg[][] = [];
  readonly ready: string[] = [];
  private readonly context: CommandContext;

  constructor() {
    const hooks: KeyspaceHooks = {
      touched: () => undefined,
      ready: (_db, key) => this.ready.push(key),
      now: () => this.now,
      expired: () => undefined,
      notifyFlags: 0,
      notify: () => undefined,
      cleared: () => undefined,
      expiryPaused: false,
      expiryObeysMaster: false,
      expiryOnWrite: false,
      // The server's estimate (server.ts), so that these commands keep Db.bytes as they run there.
      entryBytes: (key, e) => KEY_OVERHEAD + key.length + (typeOps[e.type]?.memory(e.value, DEFAULT_SAMPLES) ?? 0),
    };
    this.db = new Db(0, hooks);
    this.context = {
      db: this.db,
      reply: this.reply,
      client: inProcessClient(this.db),
      server: inProcessServer(this.db, () => this.now),
      propagate: (argv) => this.propagated.push([...argv]),
      notify: () => undefined,
    };
  }


  send(args: Arg[]): Buffer {
    const argv = args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a));
    const name = argv[0].toString('latin1').toLowerCase();
    try {
      this.generic(name, argv);
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      this.reply.error(e.message);
    }
    this.reply.flush();
    const b = Buffer.concat(this.out);
    this.out = [];
    return b;
  }

  private generic(name: string, argv: Buffer[]): void {
    const key = (i: number) => argv[i].toString('latin1');
    const r = this.reply;
    switch (name) {
      case 'hello':
        r.proto = argv[1].toString() === '3' ? 3 : 2;
        return r.ok();
      case 'flushall':
        this.db.clear();
        return r.ok();
      case 'set':
        this.db.set(key(1), 'string', Buffer.from(argv[2]));
        return r.ok();
      case 'del': {
        let n = 0;
        for (let i = 1; i < argv.length; i++) if (this.db.delete(key(i))) n++;
        return r.integer(n);
      }
      case 'exists':
        return r.integer(this.db.exists(key(1)) ? 1 : 0);
      case 'type':
        return r.simple(this.db.lookupRead(key(1))?.type ?? 'none');
      case 'object': {
        const e = this.db.lookupRead(key(2));
        if (!e) return r.nil();
        if (e.type === 'string') return r.bulk('raw');
        return r.bulk(typeOps[e.type]!.encoding(e.value));
      }
    }
    const def = table.get(name);
    if (!def) throw new Error(`no command ${name}`);
    if ((def.arity > 0 && argv.length !== def.arity) || argv.length < -def.arity) {
      throw new CommandError(`ERR wrong number of arguments for '${name}' command`);
    }
    def.run(this.context, argv);
  }
}

function unavailable(what: string): () => never {
  return () => {
    throw new Error(`${what} is not available in process`);
  };
}

/**
 * The client of the in-process runner: it never blocks (as inside MULTI), and what only the
 * server's own commands use is unavailable.
 */
function inProcessClient(db: Db): ClientState {
  return {
    id: 1,
    name: '',
    db,
    protocol: 2,
    flags: 0,
    subscribed: false,
    channels: new Set(),
    patterns: new Set(),
    queued: -1,
    createdAt: 0,
    lastInteraction: 0,
    lastCommand: 'NULL',
    shardChannels: new Set(),
    trackingRedirect: 0,
    trackingPrefixes: null,
    conn: null,
    canBlock: false,
    authenticated: true,
    inMulti: false,
    block: unavailable('blocking'),
    stream: unavailable('streamed replies'),
    kill: unavailable('CLIENT KILL'),
    setName: unavailable('CLIENT SETNAME'),
    select: unavailable('SELECT'),
    setProtocol: unavailable('HELLO'),
    authenticate: unavailable('AUTH'),
    deauthenticate: unavailable('RESET'),
    closeAfterReply: unavailable('QUIT'),
    subscribe: unavailable('SUBSCRIBE'),
    unsubscribe: unavailable('UNSUBSCRIBE'),
    beginMulti: unavailable('MULTI'),
    discardMulti: unavailable('DISCARD'),
    exec: unavailable('EXEC'),
    watch: unavailable('WATCH'),
    unwatch: unavailable('UNWATCH'),
    subscribeShard: unavailable('SSUBSCRIBE'),
    unsubscribeShard: unavailable('SUNSUBSCRIBE'),
    get pushReply(): never {
      return unavailable('pushes')();
    },
    setReplyMode: unavailable('CLIENT REPLY'),
    enableTracking: unavailable('CLIENT TRACKING'),
    disableTracking: unavailable('CLIENT TRACKING'),
    setTrackingCaching: unavailable('CLIENT CACHING'),
    setNoEvict: unavailable('CLIENT NO-EVICT'),
    startMonitor: unavailable('MONITOR'),
    stopMonitor: unavailable('MONITOR'),
  };
}

/** The server of the in-process runner: one database, the clock, the type hooks, the default settings. */
function inProcessServer(db: Db, now: () => number): ServerContext {
  return {
    now,
    dbs: [db],
    typeOps,
    // Redis's defaults: the encoding thresholds the data types read.
    config: defaultConfig(),
    log: { warn: () => undefined },
    configure: unavailable('CONFIG SET'),
    stats: { totalConnections: 0, totalCommands: 0, expiredKeys: 0, evictedKeys: 0, rejectedConnections: 0, pubsubMessages: 0 },
    commands: table,
    clients: new Map(),
    blockedClients: 0,
    get pubsub(): never {
      return unavailable('pub/sub')();
    },
    touchAllWatched: unavailable('WATCH'),
    signalWaitedKeys: unavailable('blocking'),
    tracking: { clients: 0, keys: 0, items: 0, prefixes: 0 },
    cronPaused: false,
    pauseClients: unavailable('CLIENT PAUSE'),
    unpauseClients: unavailable('CLIENT UNPAUSE'),
    unblockClient: unavailable('CLIENT UNBLOCK'),
    get persistence(): never {
      return unavailable('persistence')();
    },
    get info(): never {
      return unavailable('INFO')();
    },
    shutdown: unavailable('SHUTDOWN'),
  };
}

/** Renders reply bytes readably for failure messages. */
export function show(b: Buffer): string {
  return JSON.stringify(b.latin1Slice(0, b.length));
}
