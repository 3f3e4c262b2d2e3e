/**
 * The command contract: what a command is ({@link CommandDef}, made with {@link def}) and
 * everything a command may use. Commands (`commands/`) and data types (`types/`) import this
 * module only; the server (`server.ts` and the files it is split into) implements the context
 * and is handed the command table, so the dependencies run one way:
 * contract ← commands, types ← server ← listener.
 *
 * Where things are:
 * - `command.ts` (this file): {@link CommandDef}, {@link def}, the `CMD_*` flag bits, key
 *   specs, per-type hooks ({@link TypeOps}), and the re-exports below.
 * - `context.ts`: {@link CommandContext} and the narrow views it is made of (client state,
 *   keyspace, config, stats, pub/sub, transactions, persistence, server info).
 * - `args.ts`: argument parsers (keywords, the integer family with Redis's error texts and the
 *   one definition of the int64 bounds, SCAN cursors and options).
 * - `reply.ts`: `Reply`, the RESP2/RESP3 serializer each command answers through.
 * - `keyspace.ts`: `Db` (get/set/delete/lookup with lazy expiry, `modified` for WATCH and
 *   persistence, `signalReady` for blocking pops), `keyOf`, `ValueType`, `Entry`.
 * - `errors.ts`: `CommandError` (throw it to reply with an error) and Redis's shared error texts.
 * - `glob.ts`: `globMatch`, Redis's glob for KEYS/SCAN MATCH/PSUBSCRIBE/CONFIG GET.
 * - `notify.ts`: the `NOTIFY_*` classes of keyspace events, raised with
 *   {@link CommandContext.notify} (`ctx.notify(NOTIFY_LIST, 'lpush', key)`).
 *
 * How a command runs: the dispatcher has checked the arity, authentication, MULTI queuing and
 * pub/sub restrictions, then calls `run(ctx, argv)`. `argv[0]` is the command name (usually
 * in lower case, as in the command table); `argv[1..]` are the arguments. The Buffers in `argv`
 * are views into the connection's read buffer, valid only during `run`: anything stored (values,
 * members, fields) must be copied (`Buffer.from(arg)`); keys decoded with `keyOf` are already
 * copies. `run` writes exactly one reply through `ctx.reply` (or blocks the client, see
 * {@link ClientState.block}), or throws a `CommandError` before writing anything.
 *
 * Persistence: a command with {@link CMD_WRITE} that changed something (called `Db.set`,
 * `Db.delete` or `Db.modified`) is appended to the AOF as sent, unless it called
 * {@link CommandContext.propagate}, which logs what it is given instead (e.g. SPOP logs the
 * SREM of the members it chose; a served BLPOP logs an LPOP).
 *
 * @packageDocumentation
 */
import type { Config } from './config';
import type { CommandContext } from './context';
import type { ValueType } from './keyspace';

export { CommandError, NOT_FLOAT, NOT_INTEGER, NOT_POSITIVE, NO_SUCH_KEY, OUT_OF_RANGE, OVERFLOW, SYNTAX, WRONGTYPE, arityError } from './errors';
export { keyOf, lfuDecayed, type Db, type Entry, type ValueType } from './keyspace';
export { formatDouble, type Reply } from './reply';
export { globMatch } from './glob';
export { LongDouble, parseRangeDouble, parseStrictDouble } from './types/numbers';
export { showSetting, type Config } from './config';
export * from './args';
export { scanReply, type ScanSource } from './scan';
export * from './context';
export type { AclLogEntryView, AclView, SelectorInfo, UserInfo, UserView } from './acl/view';
export {
  NOTIFY_EVICTED,
  NOTIFY_EXPIRED,
  NOTIFY_GENERIC,
  NOTIFY_HASH,
  NOTIFY_KEY_MISS,
  NOTIFY_LIST,
  NOTIFY_NEW,
  NOTIFY_SET,
  NOTIFY_STREAM,
  NOTIFY_STRING,
  NOTIFY_ZSET,
} from './notify';

// Command flags: one bit each, in the order COMMAND INFO lists them (Redis's command table
// order), so rendering walks FLAG_NAMES once and the dispatcher tests a bit.
/** May modify the dataset; logged to the AOF when it did. */
export const CMD_WRITE = 1 << 0;
/** Only reads the dataset. */
export const CMD_READONLY = 1 << 1;
/** May grow memory: refused (or evicts) over `maxmemory`. */
export const CMD_DENYOOM = 1 << 2;
/** Administrative (CONFIG, SHUTDOWN, …). */
export const CMD_ADMIN = 1 << 3;
/** Pub/sub related. */
export const CMD_PUBSUB = 1 << 4;
/** Not allowed from scripts. */
export const CMD_NOSCRIPT = 1 << 5;
/** May block the client. */
export const CMD_BLOCKING = 1 << 6;
/** Allowed while the dataset loads. */
export const CMD_LOADING = 1 << 7;
/** Allowed on a replica with stale data. */
export const CMD_STALE = 1 << 8;
/** Not shown by MONITOR. */
export const CMD_SKIP_MONITOR = 1 << 9;
/** Not recorded by SLOWLOG. */
export const CMD_SKIP_SLOWLOG = 1 << 10;
/** Allowed on an importing cluster slot. */
export const CMD_ASKING = 1 << 11;
/** O(1) or O(log N): never delays the server. */
export const CMD_FAST = 1 << 12;
/** Allowed before authentication. */
export const CMD_NO_AUTH = 1 << 13;
/** May replicate even when it is not a write (e.g. PUBLISH). */
export const CMD_MAY_REPLICATE = 1 << 14;
/** A command whose key arguments may be absent. */
export const CMD_NO_MANDATORY_KEYS = 1 << 15;
/** Refused while a replica loads asynchronously. */
export const CMD_NO_ASYNC_LOADING = 1 << 16;
/** Refused inside MULTI. */
export const CMD_NO_MULTI = 1 << 17;
/** Key positions depend on the arguments (COMMAND GETKEYS must parse them). */
export const CMD_MOVABLE_KEYS = 1 << 18;
/** Allowed while a script or function runs for too long. */
export const CMD_ALLOW_BUSY = 1 << 19;

/** Every flag bit with the name COMMAND INFO shows, in Redis's order. */
export const FLAG_NAMES: readonly (readonly [bit: number, name: string])[] = [
  [CMD_WRITE, 'write'],
  [CMD_READONLY, 'readonly'],
  [CMD_DENYOOM, 'denyoom'],
  [CMD_ADMIN, 'admin'],
  [CMD_PUBSUB, 'pubsub'],
  [CMD_NOSCRIPT, 'noscript'],
  [CMD_BLOCKING, 'blocking'],
  [CMD_LOADING, 'loading'],
  [CMD_STALE, 'stale'],
  [CMD_SKIP_MONITOR, 'skip_monitor'],
  [CMD_SKIP_SLOWLOG, 'skip_slowlog'],
  [CMD_ASKING, 'asking'],
  [CMD_FAST, 'fast'],
  [CMD_NO_AUTH, 'no_auth'],
  [CMD_MAY_REPLICATE, 'may_replicate'],
  [CMD_NO_MANDATORY_KEYS, 'no_mandatory_keys'],
  [CMD_NO_ASYNC_LOADING, 'no_async_loading'],
  [CMD_NO_MULTI, 'no_multi'],
  [CMD_MOVABLE_KEYS, 'movablekeys'],
  [CMD_ALLOW_BUSY, 'allow_busy'],
];

/** The names of the bits set in `flags`, in COMMAND INFO's order. */
export function flagNames(flags: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if ((flags & bit) !== 0) out.push(name);
  return out;
}

/** COMMAND DOCS groups (Redis's `group` field; COMMAND INFO shows it as the category `@group`). */
export type CommandGroup =
  | 'generic'
  | 'string'
  | 'list'
  | 'set'
  | 'sorted-set'
  | 'hash'
  | 'pubsub'
  | 'transactions'
  | 'connection'
  | 'server'
  | 'scripting'
  | 'hyperloglog'
  | 'cluster'
  | 'sentinel'
  | 'geo'
  | 'stream'
  | 'bitmap';

/**
 * Where a command's keys are, as COMMAND INFO's `[first, last, step]`: first key position in
 * argv (0 = no keys), last key position (-1 = the last argument, -2 the one before, …), and the
 * distance between keys (2 for MSET's key/value pairs).
 */
export type KeySpec = readonly [first: number, last: number, step: number];

/** No key arguments. */
export const NOKEYS: KeySpec = [0, 0, 0];
/** One key, argv[1]. */
export const KEY1: KeySpec = [1, 1, 1];
/** Every argument from argv[1] is a key (DEL, EXISTS, MGET, …). */
export const ALLKEYS: KeySpec = [1, -1, 1];

/** Executes a command; see the module documentation for the rules. */
export type CommandRun = (ctx: CommandContext, argv: Buffer[]) => void;

/** One command of the command table. */
export interface CommandDef {
  /** Lower-case name, e.g. `lpush`. */
  readonly name: string;
  /**
   * Redis arity, counting the command name: `2` means exactly one argument, `-3` at least two.
   * The dispatcher replies `ERR wrong number of arguments for 'x' command` when it does not match.
   */
  readonly arity: number;
  /** `CMD_*` bits, e.g. `CMD_WRITE | CMD_DENYOOM | CMD_FAST`. */
  readonly flags: number;
  /** Position of the first key in argv (0 = no keys), as in COMMAND INFO. */
  readonly firstKey: number;
  /** Position of the last key; -1 = the last argument, -2 = the one before, … */
  readonly lastKey: number;
  /** Distance between keys (2 for MSET's key/value pairs). */
  readonly step: number;
  /** COMMAND DOCS group. */
  readonly group: CommandGroup;
  /** COMMAND DOCS summary (one line); absent: `The NAME command.` */
  readonly summary?: string;
  /** Executes the command. */
  readonly run: CommandRun;
  /**
   * The flags of one call, when they depend on its arguments (Redis's getCommandFlags): EVAL's
   * come from its script's shebang. CLIENT PAUSE reads them, for queued commands too.
   */
  readonly callFlags?: (ctx: CommandContext, argv: readonly Buffer[]) => number;
  /**
   * For {@link CMD_MOVABLE_KEYS} commands: the positions of the keys in `argv` (COMMAND GETKEYS),
   * where first/last/step cannot say (SORT's STORE key).
   */
  readonly getKeys?: (argv: readonly Buffer[]) => number[];
}

/**
 * The positions in `argv` of a command's keys: from {@link CommandDef.getKeys} when it has one,
 * else first/last/step (COMMAND GETKEYS; client-side caching remembers the keys read).
 */
export function keyPositions(d: CommandDef, argv: readonly Buffer[]): number[] {
  if (d.getKeys !== undefined) return d.getKeys(argv);
  if (d.firstKey === 0) return [];
  const last = d.lastKey < 0 ? argv.length + d.lastKey : d.lastKey;
  const out: number[] = [];
  for (let i = d.firstKey; i <= last && i < argv.length; i += d.step) out.push(i);
  return out;
}

/** The flags of this call of `d` ({@link CommandDef.callFlags}, else the command's). */
export function callFlags(d: CommandDef, ctx: CommandContext, argv: readonly Buffer[]): number {
  return d.callFlags === undefined ? d.flags : d.callFlags(ctx, argv);
}

/** Defines a command of the table (every command is made with it). */
export function def(name: string, arity: number, flags: number, keys: KeySpec, group: CommandGroup, run: CommandRun, summary?: string): CommandDef {
  return { name, arity, flags, firstKey: keys[0], lastKey: keys[1], step: keys[2], group, summary, run };
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
  /** OBJECT ENCODING's answer: `listpack`, `quicklist`, `hashtable`, `intset`, `skiplist`, `stream`. */
  encoding(value: unknown): string;
  /**
   * Approximate memory use in bytes (INFO used_memory, maxmemory eviction, MEMORY USAGE),
   * estimated from the first `samples` elements (0: every element; see memory-sample.ts).
   */
  memory(value: unknown, samples: number): number;
  /**
   * Redis's lazyfreeGetFreeEffort, in O(1): about how many allocations freeing the value takes
   * (a hash table's entries, a skiplist's nodes, a stream's nodes and groups). Absent: 1.
   */
  freeEffort?(value: unknown): number;
  /**
   * The value as loading it from a dump rebuilds it (DEBUG RELOAD): the encoding chosen afresh
   * from the contents and the current thresholds. Absent: the value stays as it is.
   */
  reload?(value: unknown, config: Readonly<Config>): unknown;
  /**
   * DEBUG DIGEST for a type whose digest is not made of its rewrite's words (streams): feeds
   * the value's parts, in order, to `mix`.
   */
  digest?(value: unknown, mix: (data: Buffer | string) => void): void;
}

/**
 * The hooks of every type: `types/index.ts` exports those of the collections as `typeOps`,
 * `stringvalue.ts` those of strings as `stringOps`.
 */
export type TypeOpsTable = Partial<Record<ValueType, TypeOps>>;

/** `ERR unknown subcommand 'x'. Try CLIENT HELP.` */
export function unknownSubcommand(sub: Buffer, container: string): string {
  return `ERR unknown subcommand '${sub.latin1Slice(0, Math.min(sub.length, 128))}'. Try ${container} HELP.`;
}
