/**
 * HyperLogLog commands (PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST) over string values laid out
 * exactly as Redis 7.0 lays them out (`hyperloglog-dense.ts`, `hyperloglog-sparse.ts`), so GET of
 * an HLL returns redis-server's bytes and an HLL string copied from redis-server works here.
 *
 * Like Redis, every command first unshares the value (`growableString`, Redis's
 * dbUnshareStringValue): PFCOUNT writes the cached cardinality into it, PFADD changes a dense
 * HLL in place.
 *
 * @packageDocumentation
 */
import { CMD_ADMIN, CMD_DENYOOM, CMD_FAST, CMD_MAY_REPLICATE, CMD_READONLY, CMD_WRITE, CommandError, KEY1, NOKEYS, NOTIFY_STRING, def, keyOf } from '../command';
import type { CommandContext, CommandDef, Db } from '../command';
import { GrowableBytes, growableString, readString, readStringForWrite } from '../stringvalue';
import { countHll, countRegisters } from './hyperloglog-count';
import { HLL_CARD_AT, HLL_DENSE, HLL_ENCODING_AT, HLL_HDR_SIZE, HLL_INVALID, HLL_REGISTERS, HLL_SPARSE, HLL_WRONGTYPE, cacheIsValid, denseGet, denseMergeInto, invalidateCache, isHll } from './hyperloglog-dense';
import { createEmptyHll, sparseDecode, sparseMergeInto } from './hyperloglog-sparse';
import { pfselftest } from './hyperloglog-selftest';
import { HllWriter } from './hyperloglog-value';

/** 2^64, to show an unsigned 64-bit cardinality as the signed one Redis replies with. */
const TWO_64 = 1n << 64n;
const INT64_LIMIT = 1n << 63n;

/** The HLL string under `key` for reading, undefined when absent; Redis's errors otherwise. */
function readHll(db: Db, key: string, forWrite: boolean): Buffer | undefined {
  const bytes = forWrite ? readStringForWrite(db, key) : readString(db, key);
  if (bytes !== undefined && !isHll(bytes)) throw new CommandError(HLL_WRONGTYPE);
  return bytes;
}

/** addReplyLongLong of Redis's uint64 cardinality. */
function replyCard(ctx: CommandContext, card: bigint): void {
  const signed = card >= INT64_LIMIT ? card - TWO_64 : card;
  ctx.reply.integer(signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed);
}

/** Stores what `w` made of the HLL under `key` when it is no longer the stored bytes. */
function commit(db: Db, key: string, w: HllWriter, created: boolean): void {
  if (w.detached) db.set(key, 'string', new GrowableBytes(w.bytes), !created);
  else db.modified(key);
}

function pfadd(ctx: CommandContext, argv: Buffer[]): void {
  const { db } = ctx;
  const key = keyOf(argv[1]);
  const existing = readHll(db, key, true);
  const created = existing === undefined;
  const stored = created ? createEmptyHll() : growableString(db, key).view();
  const w = new HllWriter(stored, ctx.server.config['hll-sparse-max-bytes']);
  let updated = created ? 1 : 0;
  for (let i = 2; i < argv.length; i++) {
    const r = w.add(argv[i]);
    if (r === 1) updated++;
    else if (r === -1) {
      // Redis keeps the registers changed before the corruption was met.
      if (updated > 0) commit(db, key, w, created);
      throw new CommandError(HLL_INVALID);
    }
  }
  if (updated > 0) {
    invalidateCache(w.bytes);
    commit(db, key, w, created);
    ctx.notify(NOTIFY_STRING, 'pfadd', key);
  }
  ctx.reply.integer(updated > 0 ? 1 : 0);
}

function pfcount(ctx: CommandContext, argv: Buffer[]): void {
  const { db } = ctx;
  if (argv.length > 2) {
    // The cardinality of the union: the registers' maxima, nothing cached.
    const max = new Uint8Array(HLL_REGISTERS);
    for (let i = 1; i < argv.length; i++) {
      const bytes = readHll(db, keyOf(argv[i]), false);
      if (bytes === undefined) continue;
      mergeInto(bytes, max);
    }
    return replyCard(ctx, countRegisters(max));
  }
  const key = keyOf(argv[1]);
  if (readHll(db, key, false) === undefined) return ctx.reply.integer(0);
  const bytes = growableString(db, key).view();
  if (cacheIsValid(bytes)) return replyCard(ctx, bytes.readBigUInt64LE(HLL_CARD_AT));
  const card = countHll(bytes);
  if (card === null) throw new CommandError(HLL_INVALID);
  bytes.writeBigUInt64LE(card, HLL_CARD_AT);
  // A read-only command that changed the value: Redis propagates it so the cache is kept.
  db.modified(key);
  ctx.propagate(['PFCOUNT', key]);
  replyCard(ctx, card);
}

/** hllMerge into `max`; INVALIDOBJ when a sparse source is corrupted. */
function mergeInto(bytes: Buffer, max: Uint8Array): void {
  if (bytes[HLL_ENCODING_AT] === HLL_DENSE) denseMergeInto(bytes, max);
  else if (!sparseMergeInto(bytes, max)) throw new CommandError(HLL_INVALID);
}

function pfmerge(ctx: CommandContext, argv: Buffer[]): void {
  const { db } = ctx;
  const max = new Uint8Array(HLL_REGISTERS);
  let anyDense = false;
  // The destination is argv[1], and is merged like the sources.
  for (let i = 1; i < argv.length; i++) {
    const bytes = readHll(db, keyOf(argv[i]), false);
    if (bytes === undefined) continue;
    if (bytes[HLL_ENCODING_AT] === HLL_DENSE) anyDense = true;
    mergeInto(bytes, max);
  }
  const key = keyOf(argv[1]);
  const created = !db.exists(key);
  const stored = created ? createEmptyHll() : growableString(db, key).view();
  const w = new HllWriter(stored, ctx.server.config['hll-sparse-max-bytes']);
  // A dense source makes the destination dense at once rather than after many sparse updates.
  if (anyDense && !w.toDense()) throw new CommandError(HLL_INVALID);
  w.setAll(max);
  invalidateCache(w.bytes);
  commit(db, key, w, created);
  // A merge is a mass addition: Redis raises the same event as PFADD.
  ctx.notify(NOTIFY_STRING, 'pfadd', key);
  ctx.reply.ok();
}

function pfdebug(ctx: CommandContext, argv: Buffer[]): void {
  const { db } = ctx;
  const sub = argv[1].latin1Slice(0, argv[1].length);
  const key = keyOf(argv[2]);
  if (readHll(db, key, true) === undefined) throw new CommandError('ERR The specified key does not exist');
  const bytes = growableString(db, key).view();
  switch (sub.toLowerCase()) {
    case 'getreg': {
      const dense = toDense(db, key, bytes);
      ctx.reply.array(HLL_REGISTERS);
      for (let i = 0; i < HLL_REGISTERS; i++) ctx.reply.integer(denseGet(dense, HLL_HDR_SIZE, i));
      return;
    }
    case 'decode':
      if (bytes[HLL_ENCODING_AT] !== HLL_SPARSE) throw new CommandError('ERR HLL encoding is not sparse');
      return ctx.reply.bulk(Buffer.from(sparseDecode(bytes), 'latin1'));
    case 'encoding':
      return ctx.reply.simple(bytes[HLL_ENCODING_AT] === HLL_DENSE ? 'dense' : 'sparse');
    case 'todense': {
      const sparse = bytes[HLL_ENCODING_AT] === HLL_SPARSE;
      if (sparse) toDense(db, key, bytes);
      return ctx.reply.integer(sparse ? 1 : 0);
    }
    default:
      throw new CommandError(`ERR Unknown PFDEBUG subcommand '${sub}'`);
  }
}

/** Converts the HLL under `key` to dense (storing it) and returns its bytes. */
function toDense(db: Db, key: string, bytes: Uint8Array): Uint8Array {
  if (bytes[HLL_ENCODING_AT] === HLL_DENSE) return bytes;
  const w = new HllWriter(bytes, Infinity);
  if (!w.toDense()) throw new CommandError(HLL_INVALID);
  db.set(key, 'string', new GrowableBytes(w.bytes), true);
  return w.bytes;
}

const G = 'hyperloglog';

/** The HyperLogLog commands. */
export const hyperloglogCommands: readonly CommandDef[] = [
  def('pfadd', -2, CMD_WRITE | CMD_DENYOOM | CMD_FAST, KEY1, G, pfadd, 'Adds the specified elements to the specified HyperLogLog.'),
  def('pfcount', -2, CMD_READONLY | CMD_MAY_REPLICATE, [1, -1, 1], G, pfcount, 'Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).'),
  def('pfmerge', -2, CMD_WRITE | CMD_DENYOOM, [1, -1, 1], G, pfmerge, 'Merge N different HyperLogLogs into a single one.'),
  def('pfdebug', 3, CMD_WRITE | CMD_DENYOOM | CMD_ADMIN, [2, 2, 1], G, pfdebug, 'Internal commands for debugging HyperLogLog values'),
  def('pfselftest', 1, CMD_ADMIN, NOKEYS, G, pfselftest, 'An internal command for testing HyperLogLog values'),
];
