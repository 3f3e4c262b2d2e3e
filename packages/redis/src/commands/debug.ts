/**
 * DEBUG, behind `enable-debug-command` as in Redis (`no` by default; `local`: loopback and
 * unix-socket clients only). The subcommands the test suite uses: OBJECT, SLEEP, POPULATE,
 * SET-ACTIVE-EXPIRE, DIGEST, DIGEST-VALUE, PROTOCOL, QUICKLIST-PACKED-THRESHOLD, CHANGE-REPL-ID,
 * STRINGMATCH-TEST, LISTPACK, QUICKLIST, ERROR, LOG, CONFIG-REWRITE-FORCE-ALL,
 * SET-SKIP-CHECKSUM-VALIDATION (RESTORE's CRC64 check) and RELOAD (`reload.ts`: an RDB round trip).
 *
 * @packageDocumentation
 */
import { CMD_ADMIN, CMD_LOADING, CMD_NOSCRIPT, CMD_STALE, CommandError, NOKEYS, NO_SUCH_KEY, argInt, def, globMatch, keyOf } from '../command';
import { DEFAULT_PEAK_RESET_MS } from '../reply-buffer';
import type { CommandContext, CommandDef, Entry } from '../command';
import { parseMemory } from '../config';
import { datasetDigest, keyDigest } from '../digest';
import { allowedAction } from './config';
import { debugReload } from './reload';
import { restoreChecks } from './dump';
import { helpReply } from './sub';

const NOT_ALLOWED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, ' +
  'otherwise you need to set this option in the configuration file, and then restart the server.';

/** A blocking sleep of the whole server, as Redis's nanosleep in DEBUG SLEEP. */
function sleepMs(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The entry under argv[2], expired or not (DEBUG sees logically expired keys, like Redis). */
function entryOf(ctx: CommandContext, key: Buffer): Entry {
  const e = ctx.db.dict.get(keyOf(key));
  if (e === undefined) throw new CommandError(NO_SUCH_KEY);
  return e;
}

/** The encoding of an entry, from its type's hooks. */
function encodingOf(ctx: CommandContext, e: Entry): string {
  return ctx.server.typeOps[e.type]?.encoding(e.value) ?? 'raw';
}

/** The byte count of the words that rebuild a value: nevio's stand-in for RDB's serializedlength. */
function serializedLength(ctx: CommandContext, key: string, e: Entry): number {
  let n = 0;
  for (const cmd of ctx.server.typeOps[e.type]?.rewrite(key, e.value) ?? []) for (let i = 2; i < cmd.length; i++) n += cmd[i].length;
  return n;
}

const PROTOCOL_TYPES = 'string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false';
const BIGNUM = '1234567999999999999999999999999999999';

function protocol(ctx: CommandContext, name: string): void {
  const r = ctx.reply;
  switch (name) {
    case 'string':
      return r.bulk('Hello World');
    case 'integer':
      return r.integer(12345);
    case 'double':
      return r.double(3.141);
    case 'bignum':
      return r.proto === 3 ? r.raw(Buffer.from(`(${BIGNUM}\r\n`)) : r.bulk(BIGNUM);
    case 'null':
      return r.nil();
    case 'array':
    case 'set':
      if (name === 'array') r.array(3);
      else r.set(3);
      for (let j = 0; j < 3; j++) r.integer(j);
      return;
    case 'map':
      r.map(3);
      for (let j = 0; j < 3; j++) {
        r.integer(j);
        r.bool(j === 1);
      }
      return;
    case 'attrib':
      if (r.proto === 3) {
        r.raw(Buffer.from('|1\r\n'));
        r.bulk('key-popularity');
        r.array(2);
        r.bulk('key:123');
        r.integer(90);
      }
      return r.bulk('Some real reply following the attribute');
    case 'push':
      if (r.proto !== 3) throw new CommandError('ERR RESP2 is not supported by this command');
      r.push(2);
      r.bulk('server-cpu-usage');
      r.integer(42);
      return r.bulk('Some real reply following the push reply');
    case 'verbatim':
      return r.verbatim('This is a verbatim\nstring');
    case 'true':
    case 'false':
      return r.bool(name === 'true');
    default:
      throw new CommandError(`ERR Wrong protocol type name. Please use one of the following: ${PROTOCOL_TYPES}`);
  }
}

/** Random glob patterns against random strings: globMatch must neither throw nor hang. */
function stringmatchTest(): void {
  const alphabet = '*?[]^-\\ab';
  const pick = (n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
  for (let i = 0; i < 1000; i++) globMatch(pick(1 + Math.floor(Math.random() * 32)), pick(Math.floor(Math.random() * 32)));
}

const HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. <size> pads or cuts the values.',
  '    These are not propagated to replicas.',
  'PROTOCOL <type>',
  `    Reply with a test value of the specified type. <type> can be: ${PROTOCOL_TYPES}.`,
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not accessed.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'HELP',
  '    Prints this help.',
];

/** DEBUG REPLYBUFFER PEAK-RESET-TIME <ms|never|reset> | RESIZING <0|1>. */
function replyBuffer(ctx: CommandContext, argv: Buffer[]): void {
  const settings = ctx.server.replyBuffers;
  const what = argv[2].toString().toLowerCase();
  const value = argv[3].toString().toLowerCase();
  if (what === 'peak-reset-time') {
    if (value === 'never') settings.peakResetMs = -1;
    else if (value === 'reset') settings.peakResetMs = DEFAULT_PEAK_RESET_MS;
    else settings.peakResetMs = argInt(argv[3]);
  } else if (what === 'resizing') {
    // Redis's atoi: a non-number is 0.
    settings.resizing = (Number.parseInt(value, 10) || 0) !== 0;
  } else throw new CommandError("ERR unknown subcommand or wrong number of arguments for 'replybuffer'. Try DEBUG HELP.");
  ctx.reply.ok();
}

/** A non-negative count or size of DEBUG POPULATE (Redis's getPositiveLongFromObjectOrReply). */
function positive(arg: Buffer): number {
  const v = Number(arg.toString());
  if (!Number.isSafeInteger(v) || !/^-?\d+$/.test(arg.toString())) throw new CommandError('ERR value is not an integer or out of range');
  if (v < 0) throw new CommandError('ERR value is out of range, must be positive');
  return v;
}

/**
 * DEBUG POPULATE count [prefix] [size]: keys `prefix:0`…(default prefix `key`) holding
 * `value:<j>`, cut or zero-padded to `size` bytes when given; existing keys are left alone and
 * nothing is propagated, as in Redis.
 */
function populate(ctx: CommandContext, argv: Buffer[]): void {
  const count = positive(argv[2]);
  const prefix = argv.length > 3 ? keyOf(argv[3]) : 'key';
  const size = argv.length > 4 ? positive(argv[4]) : 0;
  const db = ctx.db;
  for (let j = 0; j < count; j++) {
    const key = `${prefix}:${j}`;
    if (db.exists(key)) continue;
    const text = Buffer.from(`value:${j}`, 'latin1');
    let value = text;
    if (size !== 0) {
      value = Buffer.alloc(size);
      text.copy(value, 0, 0, Math.min(size, text.length));
    }
    db.set(key, 'string', value);
  }
  ctx.reply.ok();
}

function debug(ctx: CommandContext, argv: Buffer[]): void {
  if (!allowedAction(ctx, ctx.server.config['enable-debug-command'])) throw new CommandError(NOT_ALLOWED);
  const sub = argv[1].toString().toLowerCase();
  const n = argv.length;
  const r = ctx.reply;
  if (sub === 'help' && n === 2) return helpReply(ctx, HELP);
  if (sub === 'loadaof' && n === 2) {
    ctx.server.persistence.reloadAof();
    return r.ok();
  }
  if (sub === 'aof-flush-sleep' && n === 3) {
    ctx.server.persistence.aofFlushSleepUs = argInt(argv[2]);
    return r.ok();
  }
  if (sub === 'reload') return debugReload(ctx, argv);
  if (sub === 'object' && n === 3) {
    const e = entryOf(ctx, argv[2]);
    const idle = Math.max(0, Math.floor(ctx.server.now() / 1000) - e.lru);
    return r.simple(
      `Value at:0x${(0x7f0000000000 + e.lru).toString(16)} refcount:1 encoding:${encodingOf(ctx, e)} ` +
        `serializedlength:${serializedLength(ctx, keyOf(argv[2]), e)} lru:${e.lru & 0xffffff} lru_seconds_idle:${idle}`,
    );
  }
  if ((sub === 'listpack' && n === 3) || (sub === 'quicklist' && (n === 3 || n === 4))) {
    const e = entryOf(ctx, argv[2]);
    if (encodingOf(ctx, e) !== sub) throw new CommandError(`ERR Not a ${sub} encoded object.`);
    return r.simple(`${sub === 'listpack' ? 'Listpack' : 'Quicklist'} structure printed on stdout`);
  }
  if (sub === 'digest' && n === 2) return r.simple(datasetDigest(ctx.server.typeOps, ctx.server.dbs));
  if (sub === 'digest-value') {
    r.array(n - 2);
    for (let i = 2; i < n; i++) r.simple(keyDigest(ctx.server.typeOps, ctx.db, keyOf(argv[i])));
    return;
  }
  if (sub === 'populate' && n >= 3 && n <= 5) return populate(ctx, argv);
  if (sub === 'protocol' && n === 3) return protocol(ctx, argv[2].toString().toLowerCase());
  if (sub === 'sleep' && n === 3) {
    sleepMs(Math.floor((Number.parseFloat(argv[2].toString()) || 0) * 1000));
    return r.ok();
  }
  if (sub === 'replybuffer' && n === 4) return replyBuffer(ctx, argv);
  if (sub === 'pause-cron' && n === 3) {
    ctx.server.cronPaused = Number.parseInt(argv[2].toString(), 10) !== 0;
    return r.ok();
  }
  if (sub === 'set-skip-checksum-validation' && n === 3) {
    restoreChecks.skipChecksum = Number.parseInt(argv[2].toString(), 10) !== 0;
    return r.ok();
  }
  if (sub === 'set-active-expire' && n === 3) {
    ctx.server.activeExpire = Number.parseInt(argv[2].toString(), 10) !== 0;
    return r.ok();
  }
  if (sub === 'quicklist-packed-threshold' && n === 3) {
    const size = parseMemory(argv[2].toString());
    // Redis's quicklist takes 0 (meaning 1 GB) up to 4 GB less 1 MB.
    if (size === undefined || size > 2 ** 32 - 2 ** 20) throw new CommandError('ERR argument must be a memory value bigger than 1 and smaller than 4gb');
    return r.ok();
  }
  if (sub === 'change-repl-id' && n === 2) {
    ctx.server.replication.changeReplId();
    return r.ok();
  }
  if (sub === 'stringmatch-test' && n === 2) {
    stringmatchTest();
    return r.simple('Apparently Redis did not crash: test passed');
  }
  if (sub === 'replicate' && n >= 3) {
    // To the replicas only, in the database the stream is in (no SELECT), unlike a propagated command.
    ctx.server.replication.replicate(-1, argv.slice(2));
    return r.ok();
  }
  if (sub === 'error' && n === 3) return r.error(argv[2].toString().replace(/[\r\n]/g, ' '));
  if (sub === 'log' && n === 3) {
    process.stderr.write(`DEBUG LOG: ${argv[2].toString()}\n`);
    return r.ok();
  }
  if (sub === 'set-disable-deny-scripts' && n === 3) {
    ctx.server.scripting.denyScriptsDisabled = argv[2].toString() !== '0';
    return r.ok();
  }
  if (sub === 'config-rewrite-force-all' && n === 2) {
    ctx.server.rewriteConfig(true);
    return r.ok();
  }
  throw new CommandError(`ERR unknown subcommand or wrong number of arguments for '${argv[1].latin1Slice(0, Math.min(argv[1].length, 128))}'. Try DEBUG HELP.`);
}

export const debugCommands: CommandDef[] = [def('debug', -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, NOKEYS, 'server', debug)];

