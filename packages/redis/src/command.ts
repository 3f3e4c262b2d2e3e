/**
 * The internal interface commands are written against.
 *
 * Where things are:
 * - `command.ts` (this file): {@link CommandDef}, {@link CommandContext}, {@link ClientHandle},
 *   blocking ({@link BlockSpec}), per-type hooks ({@link TypeOps}) and argument parsers.
 * - `reply.ts`: `Reply`, the RESP2/RESP3 serializer each command answers through.
 * - `keyspace.ts`: `Db` (get/set/delete/lookup with lazy expiry, `modified` for WATCH and
 *   persistence, `signalReady` for blocking pops), `keyOf`, `ValueType`, `Entry`.
 * - `errors.ts`: `CommandError` (throw it to reply with an error) and Redis's shared error texts.
 * - `glob.ts`: `globMatch`, Redis's glob for KEYS/SCAN MATCH/PSUBSCRIBE (and HSCAN/SSCAN/ZSCAN).
 * - `types/index.ts`: the data types' `typeCommands` and `typeOps`, picked up by the command
 *   table; everything under `types/` belongs to the data-types modules.
 *
 * How a command runs: the dispatcher has checked the arity, authentication, MULTI queuing and
 * pub/sub restrictions, then calls `run(ctx, argv)`. `argv[0]` is the command name (usually
 * in lower case, as in the command table); `argv[1..]` are the arguments. The Buffers in `argv` are views into the connection's read
 * buffer, valid only during `run`: anything stored (values, members, fields) must be copied
 * (`Buffer.from(arg)`); keys decoded with {@link keyOf} are already copies. `run` writes exactly
 * one reply through `ctx.reply` (or blocks the client, see {@link ClientHandle.block}), or throws
 * a {@link CommandError} before writing anything.
 *
 * Persistence: a command with the `write` flag that changed something (called `Db.set`,
 * `Db.delete` or `Db.modified`) is appended to the AOF as sent, unless it called
 * {@link CommandContext.propagate}, which logs what it is given instead (e.g. SPOP logs the
 * SREM of the members it chose; a served BLPOP logs an LPOP).
 *
 * @packageDocumentation
 */
import type { Db } from './keyspace';
import type { Reply } from './reply';
import { CommandError, NOT_INTEGER } from './errors';

export { CommandError } from './errors';
export type { Db, Entry, ValueType } from './keyspace';
export type { Reply } from './reply';

/** Command flags, as COMMAND INFO lists them. */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'fast'
  | 'no_auth'
  | 'no_multi'
  | 'allow_busy';

/** One command of the command table. */
export interface CommandDef {
  /** Lower-case name, e.g. `lpush`. */
  readonly name: string;
  /**
   * Redis arity, counting the command name: `2` means exactly one argument, `-3` at least two.
   * The dispatcher replies `ERR wrong number of arguments for 'x' command` when it does not match.
   */
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  /** Position of the first key in argv (0 = no keys), as in COMMAND INFO. */
  readonly firstKey: number;
  /** Position of the last key; -1 = the last argument, -2 = the one before, … */
  readonly lastKey: number;
  /** Distance between keys (2 for MSET's key/value pairs). */
  readonly step: number;
  /** COMMAND DOCS group: `string`, `list`, `hash`, `set`, `sorted-set`, `generic`, … */
  readonly group?: string;
  /** COMMAND DOCS summary (one line). */
  readonly summary?: string;
  /** Executes the command; see the module documentation above for the rules. */
  run(ctx: CommandContext, argv: Buffer[]): void;
}

/** What a command runs with. One long-lived object per client: do not keep it across calls. */
export interface CommandContext {
  /** The client's current database (SELECT). */
  readonly db: Db;
  /** Where the reply goes, in the client's protocol (RESP2 or RESP3). */
  readonly reply: Reply;
  readonly client: ClientHandle;
  readonly server: ServerHandle;
  /**
   * Logs these arguments to the AOF instead of the command as sent; may be called several times
   * to log several commands. Strings are encoded as latin1, so a key string can be passed as is.
   */
  propagate(argv: readonly (Buffer | string)[]): void;
}

/** The client as commands see it. */
export interface ClientHandle {
  /** CLIENT ID. */
  readonly id: number;
  /**
   * False inside MULTI/EXEC and during AOF replay: a blocking command must then act as if its
   * timeout had expired at once (BLPOP replies the null array).
   */
  readonly canBlock: boolean;
  /**
   * Suspends the client: no reply is written now, and its later pipelined commands wait until
   * it is unblocked. Call it as the last thing `run` does, instead of replying. The server
   * unblocks it when `spec.serve` succeeds (after a command signalled one of `spec.keys` ready),
   * when the timeout passes, or when the client disconnects; the reply then goes out at once.
   */
  block(spec: BlockSpec): void;
}

/** How a blocked client waits (BLPOP, BRPOP, BLMOVE, BZPOPMIN, …). */
export interface BlockSpec {
  /** Keys of the client's current database to wait on. */
  readonly keys: readonly string[];
  /** Milliseconds to wait; 0 waits forever. */
  readonly timeoutMs: number;
  /**
   * Called when `key` was signalled ready, after the command that signalled it finished, in the
   * order clients blocked (FIFO per key). Try to serve the client: when the key holds data of
   * the right type, pop it, write the complete reply to `ctx.reply` (the blocked client's),
   * call `ctx.propagate` with the non-blocking equivalent (LPOP key, LMOVE …) and return true.
   * Return false to keep waiting (key empty again, or of another type). Copy what you need from
   * the original argv when blocking: it is no longer valid here.
   */
  serve(ctx: CommandContext, key: string): boolean;
  /** Writes the timeout reply; by default the null array (`*-1`, RESP3 `_`). */
  timedOut?(reply: Reply): void;
}

/** The server as commands see it. */
export interface ServerHandle {
  /** The current time in ms, cached per batch of events like Redis's `server.mstime`. */
  now(): number;
  /** All databases (for commands that move values between them). */
  readonly dbs: readonly Db[];
}

/** Per-type hooks the keyspace needs for values it does not understand. */
export interface TypeOps {
  /**
   * Commands that rebuild `value` under `key` (AOF rewrite), e.g. `[['RPUSH', key, a, b, …]]`;
   * split big collections into several commands of at most ~64 elements each. Strings are
   * encoded latin1, as in {@link CommandContext.propagate}.
   */
  rewrite(key: string, value: unknown): Iterable<readonly (Buffer | string)[]>;
  /** A deep copy (COPY). */
  copy(value: unknown): unknown;
  /** OBJECT ENCODING's answer: `listpack`, `quicklist`, `hashtable`, `intset`, `skiplist`. */
  encoding(value: unknown): string;
  /** Approximate memory use in bytes (INFO used_memory, maxmemory eviction). */
  memory(value: unknown): number;
}

/** The hooks of every non-string type, exported by `types/index.ts` as `typeOps`. */
export type TypeOpsTable = Partial<Record<'list' | 'hash' | 'set' | 'zset', TypeOps>>;

/** True when `arg` equals the lower-case ASCII word `lower`, ignoring case (no allocation). */
export function argIs(arg: Buffer, lower: string): boolean {
  const n = lower.length;
  if (arg.length !== n) return false;
  for (let i = 0; i < n; i++) {
    if ((arg[i] | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Parses a strict decimal int64 like Redis's string2ll: optional '-', no '+', no leading zeros,
 * no spaces. Returns undefined when invalid. Values beyond 2^53 lose precision: use
 * {@link parseBigInt} where the exact value matters (INCRBY).
 */
export function parseInt64(arg: Uint8Array): number | undefined {
  const len = arg.length;
  if (len === 0 || len > 20) return undefined;
  let i = 0;
  let neg = false;
  if (arg[0] === 0x2d) {
    if (len === 1) return undefined;
    neg = true;
    i = 1;
  }
  const first = arg[i];
  if (first === 0x30) return len === 1 ? 0 : undefined;
  if (first < 0x31 || first > 0x39) return undefined;
  if (len - i > 15) {
    const v = parseBigInt(arg);
    return v === undefined ? undefined : Number(v);
  }
  let v = 0;
  for (; i < len; i++) {
    const c = arg[i] - 0x30;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/** Like {@link parseInt64}, exactly, as a bigint. */
export function parseBigInt(arg: Uint8Array): bigint | undefined {
  const s = Buffer.from(arg.buffer, arg.byteOffset, arg.length).latin1Slice(0, arg.length);
  if (!/^(0|-?[1-9][0-9]{0,19})$/.test(s)) return undefined;
  const v = BigInt(s);
  return v > INT64_MAX || v < INT64_MIN ? undefined : v;
}

/** An integer argument; throws `ERR value is not an integer or out of range` (or `msg`). */
export function argInt(arg: Buffer, msg = NOT_INTEGER): number {
  const v = parseInt64(arg);
  if (v === undefined) throw new CommandError(msg);
  return v;
}
