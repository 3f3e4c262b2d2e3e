/**
 * DUMP and RESTORE in Redis's payload format: one RDB object (its type byte and value), the RDB
 * version (2 bytes, little endian) and a CRC64 of everything before it (8 bytes, little endian).
 * The object is written and read by the RDB codec (`rdb/object-write.ts`, `rdb/object-read.ts`):
 * DUMP writes what Redis 7.0.15 writes for the value in the encoding it would have (listpacks,
 * intsets, quicklists, LZF strings under `rdbcompression`), so a small value's payload is
 * byte-identical to redis-server's; RESTORE loads every encoding Redis 7.0 loads, validated as
 * its deep sanitization does (a corrupt payload is `Bad data format`, never a crash). A restored
 * value takes its encoding afresh from its contents and the current thresholds, as Redis's
 * load does.
 *
 * @packageDocumentation
 */
import { CMD_DENYOOM, CMD_READONLY, CMD_WRITE, CommandError, KEY1, NOTIFY_GENERIC, SYNTAX, argIs, def, int64Arg, keyOf } from '../command';
import type { CommandContext, CommandDef, Config, Entry, ValueType } from '../command';
import { crc64 } from '../crc64';
import { RDB_VERSION } from '../rdb/constants';
import { isObjectType, readObject } from '../rdb/object-read';
import { writeObject } from '../rdb/object-write';
import { RdbFormatError, RdbReader } from '../rdb/reader';
import { RdbWriter } from '../rdb/writer';

const BAD_FORMAT = 'ERR Bad data format';
/** The payload's footer: the RDB version (2 bytes) and the CRC64 (8 bytes). */
const FOOTER_LENGTH = 10;

/** The DUMP payload of an entry (MIGRATE sends the same). */
export function dumpPayload(e: Entry, config: Readonly<Config>): Buffer {
  const w = new RdbWriter(config.rdbcompression);
  writeObject(w, e.type, e.value, { listFill: config['list-max-listpack-size'] });
  w.uint16(RDB_VERSION);
  w.uint64(crc64(w.view()));
  return w.take();
}

/** The value a payload's RDB object describes (everything up to the footer must be read). */
function deserialize(ctx: CommandContext, payload: Buffer): { type: ValueType; value: unknown } {
  const r = new RdbReader(payload, 0, payload.length - FOOTER_LENGTH);
  try {
    const type = r.byte();
    if (!isObjectType(type)) throw new CommandError(BAD_FORMAT);
    const out = readObject(r, type, ctx.server.config);
    // Redis refuses trailing bytes as it refuses a short object.
    if (r.remaining !== 0) throw new CommandError(BAD_FORMAT);
    return out;
  } catch (err) {
    if (err instanceof RdbFormatError) {
      // Redis's rdbReportCorruptRDB: the reason goes to the log, the client gets the generic error.
      ctx.server.log.warn(`Internal error in RDB reading: ${err.message}`);
      throw new CommandError(BAD_FORMAT);
    }
    throw err;
  }
}

function dump(ctx: CommandContext, argv: Buffer[]): void {
  const e = ctx.db.lookupRead(keyOf(argv[1]));
  if (e === undefined) return ctx.reply.nil();
  ctx.reply.bulk(dumpPayload(e, ctx.server.config));
}

/** DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE takes payloads whatever their CRC64 (Redis's corrupt-payload tests use it). */
export const restoreChecks = { skipChecksum: false };

/** True when a payload's version is one Redis 7.0 reads and its checksum is right (verifyDumpPayload). */
function payloadVerified(payload: Buffer): boolean {
  if (payload.length < FOOTER_LENGTH) return false;
  if (payload.readUInt16LE(payload.length - FOOTER_LENGTH) > RDB_VERSION) return false;
  if (restoreChecks.skipChecksum) return true;
  return crc64(payload.subarray(0, payload.length - 8)) === payload.readBigUInt64LE(payload.length - 8);
}

/** RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], checks in Redis's order. */
function restore(ctx: CommandContext, argv: Buffer[]): void {
  let replace = false;
  let absttl = false;
  let idle = -1n;
  let freq = -1n;
  for (let j = 4; j < argv.length; j++) {
    const more = j + 1 < argv.length;
    if (argIs(argv[j], 'replace')) replace = true;
    else if (argIs(argv[j], 'absttl')) absttl = true;
    else if (argIs(argv[j], 'idletime') && more && freq === -1n) {
      idle = int64Arg(argv[++j]);
      if (idle < 0n) throw new CommandError('ERR Invalid IDLETIME value, must be >= 0');
    } else if (argIs(argv[j], 'freq') && more && idle === -1n) {
      freq = int64Arg(argv[++j]);
      if (freq < 0n || freq > 255n) throw new CommandError('ERR Invalid FREQ value, must be >= 0 and <= 255');
    } else throw new CommandError(SYNTAX);
  }
  const db = ctx.db;
  const key = keyOf(argv[1]);
  if (!replace && db.lookupWrite(key) !== undefined) throw new CommandError('BUSYKEY Target key name already exists.');
  const ttlArg = int64Arg(argv[2]);
  if (ttlArg < 0n) throw new CommandError('ERR Invalid TTL value, must be >= 0');
  if (!payloadVerified(argv[3])) throw new CommandError('ERR DUMP payload version or checksum are wrong');
  const { type, value } = deserialize(ctx, argv[3]);
  const deleted = replace && db.delete(key);
  const now = ctx.server.now();
  const at = ttlArg === 0n ? 0 : Number(absttl ? ttlArg : ttlArg + BigInt(now));
  if (at !== 0 && at <= now) {
    // Already expired: nothing is stored (what was there is gone when REPLACE deleted it).
    if (deleted) {
      ctx.propagate(['DEL', key]);
      ctx.notify(NOTIFY_GENERIC, 'del', key);
    }
    return ctx.reply.ok();
  }
  db.set(key, type, value);
  if (at !== 0) db.setExpire(key, at);
  const e = db.dict.get(key);
  if (e !== undefined) {
    if (idle >= 0n) e.lru = Math.floor(now / 1000) - Number(idle);
    if (freq >= 0n) e.freq = Number(freq);
  }
  // A relative TTL is logged as absolute (argv[2] rewritten, ABSTTL appended, as Redis does),
  // so that a replay does not restart the countdown; anything else is logged as sent.
  if (ttlArg !== 0n && !absttl) {
    const logged: (Buffer | string)[] = argv.slice();
    logged[2] = String(at);
    logged.push('ABSTTL');
    ctx.propagate(logged);
  }
  if (type === 'list' || type === 'zset') db.signalReady(key);
  ctx.notify(NOTIFY_GENERIC, 'restore', key);
  ctx.reply.ok();
}

/** DUMP and RESTORE. */
export const dumpCommands: CommandDef[] = [
  def('dump', 2, CMD_READONLY, KEY1, 'generic', dump, 'Returns a serialized representation of the value stored at a key.'),
  def('restore', -4, CMD_WRITE | CMD_DENYOOM, KEY1, 'generic', restore, 'Creates a key from the serialized representation of a value.'),
];
