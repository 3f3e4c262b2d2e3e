/**
 * Ranges over a sorted set: score and lex bounds (`(1.5`, `-inf`, `[a`, `+`), the members they
 * select, and the ZRANGE family (ZRANGE with BYSCORE/BYLEX/REV/LIMIT/WITHSCORES, the fixed forms
 * ZRANGEBYSCORE, ZREVRANGE, … and ZRANGESTORE), with Redis 7.0's argument rules and errors.
 *
 * @packageDocumentation
 */
import { CMD_DENYOOM, CMD_READONLY, CMD_WRITE, CommandError, KEY1, SYNTAX, argInt, argIs, def, parseRangeDouble } from '../command';
import type { CommandContext, CommandDef, Db } from '../command';
import { clampRange, str } from './common';
import { lexGteMin, lexLteMax, lexRangeEmpty, scoreGteMin, scoreLteMax, type LexRange, type ScoreRange, type ZNode } from './zset';
import { getZ, newZSet, replyScored, storeZSet, type RedisZSet } from './zset-value';

/** `(1.5`, `-inf`, `2`: one bound of a score range; null when invalid. */
function parseScoreBound(s: string): { v: number; ex: boolean } | null {
  const ex = s[0] === '(';
  const v = parseRangeDouble(ex ? s.slice(1) : s);
  return v === null ? null : { v, ex };
}

/** A score range from its two bounds; `ERR min or max is not a float` when either is invalid. */
export function scoreRange(minArg: Buffer, maxArg: Buffer): ScoreRange {
  const min = parseScoreBound(str(minArg));
  const max = parseScoreBound(str(maxArg));
  if (!min || !max) throw new CommandError('ERR min or max is not a float');
  return { min: min.v, max: max.v, minEx: min.ex, maxEx: max.ex };
}

function parseLexBound(s: string): { v: string; ex: boolean; inf: 0 | 1 | -1 } | null {
  if (s === '+') return { v: '', ex: false, inf: 1 };
  if (s === '-') return { v: '', ex: false, inf: -1 };
  if (s[0] === '(') return { v: s.slice(1), ex: true, inf: 0 };
  if (s[0] === '[') return { v: s.slice(1), ex: false, inf: 0 };
  return null;
}

/** A lex range from its two bounds; `ERR min or max not valid string range item` when either is invalid. */
export function lexRange(minArg: Buffer, maxArg: Buffer): LexRange {
  const min = parseLexBound(str(minArg));
  const max = parseLexBound(str(maxArg));
  if (!min || !max) throw new CommandError('ERR min or max not valid string range item');
  // `+` as a minimum or `-` as a maximum make an empty range: model them as an impossible bound.
  if (min.inf === 1 || max.inf === -1) return { min: '\uffff', max: '', minEx: true, maxEx: true, minInf: false, maxInf: false };
  return { min: min.v, max: max.v, minEx: min.ex, maxEx: max.ex, minInf: min.inf === -1, maxInf: max.inf === 1 };
}

/**
 * Where a lex range starts, as Redis finds it. The result is specified only when every member has
 * the same score (then members are in lex order and every way agrees); otherwise it depends on
 * the encoding, and this follows Redis's: a listpack is scanned from its head (from its tail when
 * `reverse`) for the first member past the bound, after checking that the range can overlap the
 * set at all, while a skiplist descends its levels (whose random heights make Redis's own answer
 * unpredictable there).
 */
function lexStart(z: RedisZSet, r: LexRange, reverse: boolean): ZNode | null {
  if (!z.listpack) return reverse ? z.list.lastInLexRange(r) : z.list.firstInLexRange(r);
  const head = z.list.first();
  const tail = z.list.last();
  if (lexRangeEmpty(r) || !head || !tail || !lexGteMin(tail.member, r) || !lexLteMax(head.member, r)) return null;
  if (reverse) {
    for (let n: ZNode | null = tail; n; n = n.backward) if (lexLteMax(n.member, r)) return lexGteMin(n.member, r) ? n : null;
  } else {
    for (let n: ZNode | null = head; n; n = n.next[0]) if (lexGteMin(n.member, r)) return lexLteMax(n.member, r) ? n : null;
  }
  return null;
}

/**
 * Members in the lex range, from the lowest (or the highest when `reverse`), after skipping
 * `offset` of them, at most `limit` (negative: no limit).
 */
export function lexNodes(z: RedisZSet, r: LexRange, reverse: boolean, offset: number, limit: number): ZNode[] {
  const out: ZNode[] = [];
  // Redis returns nothing for a negative offset.
  if (offset < 0) return out;
  let n = lexStart(z, r, reverse);
  if (n && offset > 0) n = z.list.byRank(z.list.rank(n.score, n.member) + (reverse ? -offset : offset));
  for (; n && limit !== 0; limit--) {
    if (reverse ? !lexGteMin(n.member, r) : !lexLteMax(n.member, r)) break;
    out.push(n);
    n = reverse ? n.backward : n.next[0];
  }
  return out;
}

/** ZLEXCOUNT: a listpack counts from where its scan starts, a skiplist subtracts ranks (as Redis). */
export function lexCount(z: RedisZSet, r: LexRange): number {
  return z.listpack ? lexNodes(z, r, false, 0, -1).length : z.countInLexRange(r);
}

/** Members in the score range; `offset` and `limit` as in {@link lexNodes}. */
export function scoreNodes(z: RedisZSet, r: ScoreRange, reverse: boolean, offset: number, limit: number): ZNode[] {
  const out: ZNode[] = [];
  if (offset < 0) return out;
  let n = reverse ? z.list.lastInScoreRange(r) : z.list.firstInScoreRange(r);
  // Jump by rank rather than walking `offset` nodes (an offset may be 2^63-1).
  if (n && offset > 0) n = z.list.byRank(z.list.rank(n.score, n.member) + (reverse ? -offset : offset));
  for (; n && limit !== 0; limit--) {
    if (reverse ? !scoreGteMin(n.score, r) : !scoreLteMax(n.score, r)) break;
    out.push(n);
    n = reverse ? n.backward : n.next[0];
  }
  return out;
}

type RangeType = 'auto' | 'rank' | 'score' | 'lex';

interface RangeQuery {
  type: RangeType;
  reverse: boolean;
  withScores: boolean;
  offset: number;
  /** -1: no limit (any negative value is none, as in Redis). */
  limit: number;
  minArg: Buffer;
  maxArg: Buffer;
}

/**
 * Parses the ZRANGE family's arguments starting at `start` (the source key's position). The
 * fixed forms (ZRANGEBYSCORE, ZREVRANGE, …) pass their range type and direction; ZRANGE and
 * ZRANGESTORE pass 'auto' and null, and accept BYSCORE/BYLEX/REV once each.
 */
function parseRange(argv: Buffer[], start: number, type: RangeType, reverse: boolean | null, store: boolean): RangeQuery {
  const q: RangeQuery = { type, reverse: reverse ?? false, withScores: false, offset: 0, limit: -1, minArg: argv[start + 1], maxArg: argv[start + 2] };
  for (let j = start + 3; j < argv.length; j++) {
    const a = argv[j];
    const left = argv.length - j - 1;
    if (!store && argIs(a, 'withscores')) q.withScores = true;
    else if (argIs(a, 'limit') && left >= 2) {
      q.offset = argInt(argv[j + 1]);
      q.limit = argInt(argv[j + 2]);
      j += 2;
    } else if (reverse === null && !q.reverse && argIs(a, 'rev')) q.reverse = true;
    else if (q.type === 'auto' && argIs(a, 'bylex')) q.type = 'lex';
    else if (q.type === 'auto' && argIs(a, 'byscore')) q.type = 'score';
    else throw new CommandError(SYNTAX);
  }
  if (q.type === 'auto') q.type = 'rank';
  if (q.limit !== -1 && q.type === 'rank') throw new CommandError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (q.withScores && q.type === 'lex') throw new CommandError('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  // Reversed score and lex ranges are written max first.
  if (q.reverse && q.type !== 'rank') [q.minArg, q.maxArg] = [q.maxArg, q.minArg];
  return q;
}

/** Runs a parsed query (the range is checked before the key is looked up, as in Redis); null: no such key. */
function runRange(db: Db, key: string, q: RangeQuery): ZNode[] | null {
  let rank: [number, number] = [0, 0];
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (q.type === 'rank') rank = [argInt(q.minArg), argInt(q.maxArg)];
  else if (q.type === 'score') sr = scoreRange(q.minArg, q.maxArg);
  else lr = lexRange(q.minArg, q.maxArg);
  const z = getZ(db, key);
  if (!z) return null;
  if (sr) return scoreNodes(z, sr, q.reverse, q.offset, q.limit);
  if (lr) return lexNodes(z, lr, q.reverse, q.offset, q.limit);
  const r = clampRange(rank[0], rank[1], z.size);
  return r ? z.rangeByRank(r[0], r[1], q.reverse) : [];
}

function zrangeGeneric(type: RangeType, reverse: boolean | null) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const q = parseRange(argv, 1, type, reverse, false);
    const nodes = runRange(ctx.db, str(argv[1]), q) ?? [];
    replyScored(ctx.reply, nodes, q.withScores);
  };
}

function zrangestore(ctx: CommandContext, argv: Buffer[]): void {
  const q = parseRange(argv, 2, 'auto', null, true);
  const dst = str(argv[1]);
  const nodes = runRange(ctx.db, str(argv[2]), q) ?? [];
  let maxLen = 0;
  for (const n of nodes) if (n.member.length > maxLen) maxLen = n.member.length;
  const z = newZSet(ctx, nodes.length, maxLen);
  for (const n of nodes) z.set(n.member, n.score);
  storeZSet(ctx, dst, z, 'zrangestore');
}

const R = CMD_READONLY;
const G = 'sorted-set';

/** ZRANGE, its fixed forms and ZRANGESTORE. */
export const zsetRangeCommands: CommandDef[] = [
  def('zrange', -4, R, KEY1, G, zrangeGeneric('auto', null), 'Returns members in a sorted set within a range of indexes, scores or lexicographical values.'),
  def('zrangebyscore', -4, R, KEY1, G, zrangeGeneric('score', false), 'Returns members in a sorted set within a range of scores.'),
  def('zrevrangebyscore', -4, R, KEY1, G, zrangeGeneric('score', true), 'Returns members in a sorted set within a range of scores in reverse order.'),
  def('zrangebylex', -4, R, KEY1, G, zrangeGeneric('lex', false), 'Returns members in a sorted set within a lexicographical range.'),
  def('zrevrangebylex', -4, R, KEY1, G, zrangeGeneric('lex', true), 'Returns members in a sorted set within a lexicographical range in reverse order.'),
  def('zrevrange', -4, R, KEY1, G, zrangeGeneric('rank', true), 'Returns members in a sorted set within a range of indexes in reverse order.'),
  def('zrangestore', -5, CMD_WRITE | CMD_DENYOOM, [1, 2, 1], G, zrangestore, 'Stores a range of members from sorted set in a key.'),
];
