/**
 * Bitmap commands over string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
 * BITFIELD_RO. The bit arithmetic and the argument rules are `algo/bits.ts` and
 * `algo/bitfield.ts`; this file does the key lookups in Redis's order (bitops.c) and grows the
 * value in place (`stringvalue.ts`), so SETBIT on a long bitmap costs O(1), not a copy.
 *
 * @packageDocumentation
 */
import { CMD_DENYOOM, CMD_FAST, CMD_READONLY, CMD_WRITE, KEY1, def, keyOf, type CommandContext, type CommandDef } from '../command';
import { bitfieldPlan, bitfieldRun } from '../algo/bitfield';
import { bitcount, bitop, bitpos, getBit, parseBitOffset, parseBitValue, parseBitop, parseBitposBit, setBit } from '../algo/bits';
import { GrowableBytes, growableString, readString, readStringForWrite } from '../stringvalue';

const WRITE = CMD_WRITE | CMD_DENYOOM;

function maxBulkLen(ctx: CommandContext): number {
  return ctx.server.config['proto-max-bulk-len'];
}

function setbit(ctx: CommandContext, argv: Buffer[]): void {
  const offset = parseBitOffset(argv[2], maxBulkLen(ctx));
  const on = parseBitValue(argv[3]);
  const db = ctx.db;
  const key = keyOf(argv[1]);
  const existed = readStringForWrite(db, key) !== undefined;
  const value = growableString(db, key);
  const before = value.length;
  value.growZero(Math.floor(offset / 8) + 1);
  const old = setBit(value.view(), offset, on);
  // Redis counts a change (WATCH, AOF) only when the key was created, grew, or the bit flipped.
  if (existed && (value.length !== before || old !== on)) db.modified(key);
  else if (value.length !== before) db.resized(key);
  ctx.reply.integer(old);
}

function getbit(ctx: CommandContext, argv: Buffer[]): void {
  const offset = parseBitOffset(argv[2], maxBulkLen(ctx));
  const value = readString(ctx.db, keyOf(argv[1]));
  ctx.reply.integer(value === undefined ? 0 : getBit(value, offset));
}

function bitcountCommand(ctx: CommandContext, argv: Buffer[]): void {
  const value = readString(ctx.db, keyOf(argv[1]));
  ctx.reply.integer(value === undefined ? 0 : bitcount(value, argv.slice(2)));
}

function bitposCommand(ctx: CommandContext, argv: Buffer[]): void {
  const bit = parseBitposBit(argv[2]);
  const value = readString(ctx.db, keyOf(argv[1]));
  // A missing key is an infinite run of clear bits.
  if (value === undefined) ctx.reply.integer(bit ? -1 : 0);
  else ctx.reply.integer(bitpos(value, bit, argv.slice(3)));
}

function bitopCommand(ctx: CommandContext, argv: Buffer[]): void {
  const op = parseBitop(argv[1], argv.length - 3);
  const db = ctx.db;
  const sources: Buffer[] = [];
  for (let i = 3; i < argv.length; i++) sources.push(readString(db, keyOf(argv[i])) ?? EMPTY);
  const result = bitop(op, sources);
  const dst = keyOf(argv[2]);
  if (result.length === 0) db.delete(dst);
  // Redis stores the result as a raw string whatever it holds (OBJECT ENCODING says `raw`).
  else db.set(dst, 'string', new GrowableBytes(result));
  ctx.reply.integer(result.length);
}

const EMPTY = Buffer.alloc(0);

function bitfield(ctx: CommandContext, argv: Buffer[], readonly: boolean): void {
  const plan = bitfieldPlan(argv.slice(2), maxBulkLen(ctx), readonly);
  const db = ctx.db;
  const key = keyOf(argv[1]);
  let bytes: Buffer;
  let created = false;
  let grew = false;
  if (plan.growTo === 0) {
    bytes = readString(db, key) ?? EMPTY;
  } else {
    created = readStringForWrite(db, key) === undefined;
    const value = growableString(db, key);
    const before = value.length;
    value.growZero(plan.growTo);
    grew = created || value.length !== before;
    bytes = value.view();
  }
  const { replies, changes } = bitfieldRun(bytes, plan);
  // Redis adds one change per write that changed the value, or per write that was not refused
  // by OVERFLOW FAIL when the value was created or grew.
  let dirty = changes;
  if (grew) {
    dirty = 0;
    plan.ops.forEach((op, i) => {
      if (op.kind !== 'get' && replies[i] !== null) dirty++;
    });
  }
  // Creating the key (growableString's Db.set) counted once already.
  if (created) dirty--;
  else if (dirty > 0) {
    db.modified(key);
    dirty--;
  }
  if (grew) db.resized(key);
  if (dirty > 0) ctx.server.persistence.addDirty(dirty);
  ctx.reply.array(replies.length);
  for (const r of replies) {
    if (r === null) ctx.reply.nil();
    else ctx.reply.integer(r);
  }
}

export const bitmapCommands: CommandDef[] = [
  def('setbit', 4, WRITE, KEY1, 'bitmap', setbit, 'Sets or clears the bit at offset in the string value stored at key.'),
  def('getbit', 3, CMD_READONLY | CMD_FAST, KEY1, 'bitmap', getbit, 'Returns the bit value at offset in the string value stored at key.'),
  def('bitcount', -2, CMD_READONLY, KEY1, 'bitmap', bitcountCommand, 'Count set bits in a string.'),
  def('bitpos', -3, CMD_READONLY, KEY1, 'bitmap', bitposCommand, 'Find first bit set or clear in a string.'),
  def('bitop', -4, WRITE, [2, -1, 1], 'bitmap', bitopCommand, 'Perform bitwise operations between strings.'),
  def('bitfield', -2, WRITE, KEY1, 'bitmap', (ctx, argv) => bitfield(ctx, argv, false), 'Perform arbitrary bitfield integer operations on strings.'),
  def('bitfield_ro', -2, CMD_READONLY | CMD_FAST, KEY1, 'bitmap', (ctx, argv) => bitfield(ctx, argv, true), 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD.'),
];
