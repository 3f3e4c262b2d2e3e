/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password | AUTH2
 * username password] [KEYS key...] (Redis's migrateCommand in cluster.c): sends each key's DUMP
 * payload to the target as `RESTORE key ttl payload [REPLACE]` (after AUTH and, when the cached
 * connection has another database selected, SELECT), and deletes the keys the target
 * acknowledged unless COPY, logging that as one DEL.
 *
 * Redis blocks the whole server on its synchronous socket calls; here only the calling client
 * waits ({@link ClientState.suspend}) while the server's reactor talks to the target. Replies,
 * errors and the retry rule are Redis's: a socket error before the first RESTORE reply (not a
 * timeout) retries once on a new connection. A key another client changes while the target
 * answers is kept here (the target has the value that was sent). Inside MULTI/EXEC or a script,
 * where a client cannot wait, MIGRATE answers an error.
 *
 * @packageDocumentation
 */
import {
  CMD_MOVABLE_KEYS,
  CMD_WRITE,
  CommandError,
  NOTIFY_GENERIC,
  SYNTAX,
  argIs,
  def,
  int64Arg,
  keyOf,
  type CommandContext,
  type CommandDef,
  type MigrateOutcome,
  type MigrateRequest,
} from '../command';
import { dumpPayload } from './dump';

/** Default and floor of the timeout: Redis turns `timeout <= 0` into 1000 ms. */
const DEFAULT_TIMEOUT_MS = 1000;
/** Timers and dials take at most 2^31-1 ms (24.8 days): longer timeouts wait that long. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** What one MIGRATE call asks for, parsed and checked. */
interface Migration {
  readonly host: string;
  readonly port: string;
  readonly db: string;
  readonly timeoutMs: number;
  readonly copy: boolean;
  readonly replace: boolean;
  /** AUTH's arguments: [password] or [username, password]; null without AUTH. */
  readonly auth: readonly Buffer[] | null;
  /** The keys found, with the RESTORE command each is sent as. */
  readonly keys: readonly string[];
  readonly restores: readonly Buffer[];
}

/** One RESP command (`*N $len arg …`), as Redis's rioWriteBulkCount/rioWriteBulkString write it. */
function encodeCommand(args: readonly (Buffer | string)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/**
 * The arguments, checked in Redis's order: options (syntax errors, KEYS with a key), then the
 * timeout and the database as integers; then the keys that exist, each with its payload and the
 * TTL it has left. Null when no key exists (+NOKEY).
 */
function parse(ctx: CommandContext, argv: Buffer[]): Migration | null {
  let copy = false;
  let replace = false;
  let auth: Buffer[] | null = null;
  let firstKey = 3;
  let numKeys = 1;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (argIs(argv[j], 'copy')) copy = true;
    else if (argIs(argv[j], 'replace')) replace = true;
    else if (argIs(argv[j], 'auth')) {
      if (more < 1) throw new CommandError(SYNTAX);
      auth = [Buffer.from(argv[++j])];
    } else if (argIs(argv[j], 'auth2')) {
      if (more < 2) throw new CommandError(SYNTAX);
      auth = [Buffer.from(argv[j + 1]), Buffer.from(argv[j + 2])];
      j += 2;
    } else if (argIs(argv[j], 'keys')) {
      if (argv[3].length !== 0) throw new CommandError('ERR When using MIGRATE KEYS option, the key argument must be set to the empty string');
      firstKey = j + 1;
      numKeys = argv.length - j - 1;
      break;
    } else throw new CommandError(SYNTAX);
  }
  const timeout = int64Arg(argv[5]);
  const db = int64Arg(argv[4]);
  const db0 = ctx.db;
  const now = ctx.server.now();
  const keys: string[] = [];
  const restores: Buffer[] = [];
  let found = 0;
  for (let j = firstKey; j < firstKey + numKeys; j++) {
    const key = keyOf(argv[j]);
    const e = db0.lookupRead(key);
    if (e === undefined) continue;
    found++;
    const at = db0.getExpireExact(key);
    // Redis computes the TTL left once more when it writes the RESTORE: a key that expired in
    // between is skipped (the same instant here), and one about to expire is sent with 1 ms.
    let ttl = 0n;
    if (at !== undefined) {
      ttl = at - BigInt(now);
      if (ttl < 0n) continue;
      if (ttl < 1n) ttl = 1n;
    }
    const args: (Buffer | string)[] = ['RESTORE', argv[j], String(ttl), dumpPayload(e, ctx.server.config)];
    if (replace) args.push('REPLACE');
    keys.push(key);
    restores.push(encodeCommand(args));
  }
  if (found === 0) return null;
  return {
    host: argv[1].latin1Slice(0, argv[1].length),
    port: argv[2].latin1Slice(0, argv[2].length),
    db: String(db),
    timeoutMs: timeout <= 0n ? DEFAULT_TIMEOUT_MS : Number(timeout > BigInt(MAX_TIMEOUT_MS) ? MAX_TIMEOUT_MS : timeout),
    copy,
    replace,
    auth,
    keys,
    restores,
  };
}

/** What goes to the target once connected: AUTH, SELECT when needed, the RESTOREs. */
function request(m: Migration, selectedDb: string | null, sent: { select: boolean }): MigrateRequest {
  const bytes: Buffer[] = [];
  if (m.auth !== null) bytes.push(encodeCommand(['AUTH', ...m.auth]));
  sent.select = selectedDb !== m.db;
  if (sent.select) bytes.push(encodeCommand(['SELECT', m.db]));
  bytes.push(...m.restores);
  return { bytes, replies: bytes.length };
}

/** How the target answered, read as Redis's migrateCommand reads it. */
interface Verdict {
  /** `ERR Target instance replied with error: …`, or null. */
  readonly targetError: string | null;
  /** Keys the target restored (deleted here unless COPY). */
  readonly acked: readonly string[];
  /** The exchange broke (the connection is closed). */
  readonly socketError: boolean;
  /** The exchange broke before any RESTORE reply, not by the timeout: Redis tries once more. */
  readonly retryable: boolean;
  /** What Redis's IOERR then names. */
  readonly phase: 'writing' | 'reading';
}

function judge(m: Migration, outcome: Extract<MigrateOutcome, { kind: 'answered' }>, select: boolean): Verdict {
  const lines = outcome.lines;
  const prefix = (m.auth !== null ? 1 : 0) + (select ? 1 : 0);
  const phase = outcome.failure ?? 'reading';
  if (lines.length < prefix) return { targetError: null, acked: [], socketError: true, retryable: !outcome.timedOut, phase };
  const authLine = m.auth !== null ? lines[0] : null;
  const selectLine = select ? lines[prefix - 1] : null;
  let targetError: string | null = null;
  const acked: string[] = [];
  const replies = lines.length - prefix;
  for (let j = 0; j < replies; j++) {
    const line = lines[prefix + j];
    const bad = authLine?.startsWith('-') === true ? authLine : selectLine?.startsWith('-') === true ? selectLine : line.startsWith('-') ? line : null;
    if (bad !== null) targetError ??= `ERR Target instance replied with error: ${bad.slice(1)}`;
    else acked.push(m.keys[j]);
  }
  const socketError = replies < m.keys.length;
  return { targetError, acked, socketError, retryable: socketError && targetError === null && replies === 0 && !outcome.timedOut, phase };
}

function migrate(ctx: CommandContext, argv: Buffer[]): void {
  const m = parse(ctx, argv);
  if (m === null) return ctx.reply.simple('NOKEY');
  if (!ctx.client.canBlock) throw new CommandError('ERR MIGRATE cannot wait for its target inside MULTI/EXEC or a script (nevio)');
  const links = ctx.server.migrateLinks;
  const suspension = ctx.client.suspend(m.keys);
  const attempt = (mayRetry: boolean): void => {
    const sent = { select: false };
    links.exchange(
      m.host,
      m.port,
      m.timeoutMs,
      (selectedDb) => request(m, selectedDb, sent),
      (outcome) => {
        if (outcome.kind === 'unreachable') return suspension.resume((c) => c.reply.error('IOERR error or timeout connecting to the client'));
        const v = judge(m, outcome, sent.select);
        if (v.socketError) links.close(m.host, m.port);
        if (v.retryable && mayRetry) return attempt(false);
        if (v.targetError !== null) links.selected(m.host, m.port, null);
        else if (!v.socketError) links.selected(m.host, m.port, m.db);
        suspension.resume((c) => finish(c, m, v, suspension.keysChanged));
      },
    );
  };
  attempt(true);
}

/** Deletes what the target restored (unless COPY), logs it as DEL, and replies. */
function finish(ctx: CommandContext, m: Migration, v: Verdict, keysChanged: boolean): void {
  // A key written by someone else while the target answered is kept: deleting it would lose that write.
  if (!m.copy && !keysChanged && v.acked.length > 0) {
    const deleted: string[] = [];
    for (const key of v.acked) {
      if (!ctx.db.delete(key)) continue;
      ctx.notify(NOTIFY_GENERIC, 'del', key);
      deleted.push(key);
    }
    if (deleted.length > 0) ctx.propagate(['DEL', ...deleted]);
  }
  if (v.targetError !== null) ctx.reply.error(v.targetError);
  else if (v.socketError) ctx.reply.error(`IOERR error or timeout ${v.phase} to target instance`);
  else ctx.reply.ok();
}

/** Option words before KEYS, with how many arguments each takes (migrateGetKeys's skip list). */
const OPTION_ARGS: ReadonlyMap<string, number> = new Map([
  ['copy', 0],
  ['replace', 0],
  ['auth', 1],
  ['auth2', 2],
]);

/**
 * Keys of MIGRATE (Redis's migrateGetKeys): those after KEYS when argv[3] is empty, none when
 * it is not (the command then answers the syntax error), else argv[3]. Option arguments are
 * skipped, so an AUTH password spelled KEYS is not the option.
 */
function migrateKeys(argv: readonly Buffer[]): number[] {
  for (let i = 6; i < argv.length; i++) {
    const word = argv[i].latin1Slice(0, argv[i].length).toLowerCase();
    if (word === 'keys') {
      if (argv[3].length > 0) return [];
      return Array.from({ length: argv.length - i - 1 }, (_, k) => i + 1 + k);
    }
    i += OPTION_ARGS.get(word) ?? 0;
  }
  return [3];
}

export const migrateCommands: CommandDef[] = [
  { ...def('migrate', -6, CMD_WRITE | CMD_MOVABLE_KEYS, [3, 3, 1], 'generic', migrate, 'Atomically transfer a key from a Redis instance to another one.'), getKeys: migrateKeys },
];
