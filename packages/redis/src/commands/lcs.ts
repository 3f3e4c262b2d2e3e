/**
 * LCS (Redis 7.0's lcsCommand): the algorithm and its options are `algo/lcs.ts`; this file looks
 * the keys up in Redis's order (type check of both keys before the options are parsed, missing
 * keys as empty strings) and writes the reply shapes.
 *
 * @packageDocumentation
 */
import { CMD_READONLY, CommandError, def, keyOf, type CommandContext, type CommandDef, type Db, type Reply } from '../command';
import { lcs, parseLcsOptions, type LcsMatch } from '../algo/lcs';
import { bytesOf, stringValue } from '../stringvalue';

const EMPTY = Buffer.alloc(0);

/** A key's bytes for LCS; Redis's own error (not WRONGTYPE) for other types. */
function lcsInput(db: Db, key: string): Buffer {
  const e = db.lookupRead(key);
  if (e === undefined) return EMPTY;
  if (e.type !== 'string') throw new CommandError('ERR The specified keys must contain string values');
  return bytesOf(stringValue(e));
}

function writeMatch(reply: Reply, m: LcsMatch, withLen: boolean): void {
  reply.array(withLen ? 3 : 2);
  reply.array(2);
  reply.integer(m.a[0]);
  reply.integer(m.a[1]);
  reply.array(2);
  reply.integer(m.b[0]);
  reply.integer(m.b[1]);
  if (withLen) reply.integer(m.len);
}

function lcsCommand(ctx: CommandContext, argv: Buffer[]): void {
  // Both lookups come first: the second key's type is checked before the first is used.
  const a = lcsInput(ctx.db, keyOf(argv[1]));
  const b = lcsInput(ctx.db, keyOf(argv[2]));
  const opts = parseLcsOptions(argv.slice(3));
  const r = lcs(a, b, opts, ctx.server.config['proto-max-bulk-len']);
  const reply = ctx.reply;
  if (r.mode === 'string') return reply.bulk(r.lcs);
  if (r.mode === 'len') return reply.integer(r.len);
  reply.map(2);
  reply.bulk('matches');
  reply.array(r.matches.length);
  for (const m of r.matches) writeMatch(reply, m, opts.withMatchLen);
  reply.bulk('len');
  reply.integer(r.len);
}

export const lcsCommands: CommandDef[] = [def('lcs', -3, CMD_READONLY, [1, 2, 1], 'string', lcsCommand, 'Find longest common substring.')];
