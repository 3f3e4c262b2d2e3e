/**
 * Set operations over sorted sets (and plain sets, whose members score 1): ZUNION, ZINTER, ZDIFF,
 * their STORE forms, and ZINTERCARD, after Redis 7.0's zunionInterDiffGenericCommand: WEIGHTS,
 * AGGREGATE SUM|MIN|MAX, WITHSCORES, LIMIT, and its conventions for infinities (a weighted score
 * or a sum that is NaN, such as `inf * 0` or `inf + -inf`, counts as 0).
 *
 * @packageDocumentation
 */
import { CMD_DENYOOM, CMD_MOVABLE_KEYS, CMD_READONLY, CMD_WRITE, CommandError, SYNTAX, WRONGTYPE, argInt, argIs, def, parseStrictDouble } from '../command';
import type { CommandContext, CommandDef, Entry } from '../command';
import { str } from './common';
import type { RedisSet } from './set';
import { countArg, newZSet, replyScored, storeZSet, type RedisZSet } from './zset-value';
import { numkeysPositions } from '../command';

type Op = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

/** One input: a sorted set, a plain set, or a missing key (empty). */
interface Source {
  /** The value itself (an intersection compares identities: a key given twice). */
  readonly value: unknown;
  readonly size: number;
  weight: number;
  /** Members with their scores, in the set's order. */
  entries(): Iterable<readonly [string, number]>;
  /** The member's score, or undefined when absent. */
  find(member: string): number | undefined;
}

const EMPTY: Omit<Source, 'weight'> = { value: null, size: 0, entries: () => [], find: () => undefined };

function zsetSource(z: RedisZSet): Omit<Source, 'weight'> {
  return {
    value: z,
    size: z.size,
    *entries() {
      for (const n of z) yield [n.member, n.score] as const;
    },
    find: (m) => z.score(m),
  };
}

function setSource(s: RedisSet): Omit<Source, 'weight'> {
  return {
    value: s,
    size: s.size,
    *entries() {
      for (const m of s.items.values()) yield [m, 1] as const;
    },
    find: (m) => (s.has(m) ? 1 : undefined),
  };
}

function source(e: Entry | undefined): Source {
  if (e === undefined) return { ...EMPTY, weight: 1 };
  if (e.type === 'zset') return { ...zsetSource(e.value as RedisZSet), weight: 1 };
  if (e.type === 'set') return { ...setSource(e.value as RedisSet), weight: 1 };
  throw new CommandError(WRONGTYPE);
}

function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === 'sum') {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === 'min') return value < target ? value : target;
  return value > target ? value : target;
}

/** A weighted score; NaN (`inf * 0`) is 0, as in Redis. */
function weighted(score: number, weight: number): number {
  const v = score * weight;
  return Number.isNaN(v) ? 0 : v;
}

/** The parsed command. */
interface Request {
  readonly sources: Source[];
  readonly how: Aggregate;
  readonly withScores: boolean;
  /** ZINTERCARD's LIMIT: stop counting there (0: no limit). */
  readonly limit: number;
}

/**
 * Parses `numkeys key [key …] [options]` from argv[at], in Redis's order: numkeys, the keys' types,
 * then the options left to right (WEIGHTS takes exactly numkeys values).
 */
function parse(ctx: CommandContext, argv: Buffer[], at: number, op: Op, store: boolean, cardOnly: boolean): Request {
  const numkeys = argInt(argv[at]);
  if (numkeys < 1) throw new CommandError(`ERR at least 1 input key is needed for '${str(argv[0]).toLowerCase()}' command`);
  if (numkeys > argv.length - at - 1) throw new CommandError(SYNTAX);
  const sources: Source[] = [];
  for (let i = 0; i < numkeys; i++) sources.push(source(ctx.db.lookupRead(str(argv[at + 1 + i]))));
  let how: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  for (let j = at + 1 + numkeys; j < argv.length; ) {
    const left = argv.length - j;
    const a = argv[j];
    if (op !== 'diff' && !cardOnly && left >= numkeys + 1 && argIs(a, 'weights')) {
      for (let i = 0; i < numkeys; i++) {
        const w = parseStrictDouble(str(argv[j + 1 + i]));
        if (w === null) throw new CommandError('ERR weight value is not a float');
        sources[i].weight = w;
      }
      j += numkeys + 1;
    } else if (op !== 'diff' && !cardOnly && left >= 2 && argIs(a, 'aggregate')) {
      const v = argv[j + 1];
      if (argIs(v, 'sum')) how = 'sum';
      else if (argIs(v, 'min')) how = 'min';
      else if (argIs(v, 'max')) how = 'max';
      else throw new CommandError(SYNTAX);
      j += 2;
    } else if (!store && !cardOnly && argIs(a, 'withscores')) {
      withScores = true;
      j++;
    } else if (cardOnly && left >= 2 && argIs(a, 'limit')) {
      limit = countArg(argv[j + 1], 0n, "ERR LIMIT can't be negative");
      j += 2;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  return { sources, how, withScores, limit };
}

/** Smallest first, as Redis orders the inputs of a union or an intersection (a union then sums in Redis's order, so its rounding matches). */
function bySize(sources: readonly Source[]): Source[] {
  return [...sources].sort((a, b) => a.size - b.size);
}

/**
 * Visits the members present in every input with their aggregated scores, probing from the
 * smallest input; stops when `visit` returns false.
 */
function intersect(req: Request, visit: (member: string, score: number) => boolean): void {
  const [first, ...rest] = bySize(req.sources);
  if (first.size === 0) return;
  outer: for (const [m, score] of first.entries()) {
    let acc = weighted(score, first.weight);
    for (const s of rest) {
      // The same value twice (a key given twice): the set being iterated is not probed.
      const other = s.value === first.value ? score : s.find(m);
      if (other === undefined) continue outer;
      acc = aggregate(acc, other * s.weight, req.how);
    }
    if (!visit(m, acc)) return;
  }
}

/** The result as member → score (unordered). */
function compute(op: Op, req: Request): Map<string, number> {
  const out = new Map<string, number>();
  if (op === 'inter') {
    intersect(req, (m, score) => (out.set(m, score), true));
  } else if (op === 'union') {
    for (const s of bySize(req.sources)) {
      for (const [m, score] of s.entries()) {
        const v = weighted(score, s.weight);
        const cur = out.get(m);
        out.set(m, cur === undefined ? v : aggregate(cur, v, req.how));
      }
    }
  } else {
    // The first input minus every other, with the first's scores (ZDIFF has no WEIGHTS).
    const [first, ...rest] = req.sources;
    for (const [m, score] of first.entries()) {
      if (!rest.some((s) => s.value === first.value || s.find(m) !== undefined)) out.set(m, score);
    }
  }
  return out;
}

/** ZINTERCARD: members in every input, counted up to the limit (0: all). */
function interCard(req: Request): number {
  let n = 0;
  intersect(req, () => ++n !== req.limit);
  return n;
}

/** (score, member) order: the order of a sorted set's replies. */
function byScore(a: readonly [string, number], b: readonly [string, number]): number {
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function setop(op: Op, store: boolean, cardOnly = false) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const req = parse(ctx, argv, store ? 2 : 1, op, store, cardOnly);
    if (cardOnly) return ctx.reply.integer(interCard(req));
    const result = compute(op, req);
    if (!store) {
      const sorted = [...result].sort(byScore);
      return replyScored(
        ctx.reply,
        sorted.map(([member, score]) => ({ member, score })),
        req.withScores,
      );
    }
    let maxLen = 0;
    for (const m of result.keys()) if (m.length > maxLen) maxLen = m.length;
    const z = newZSet(ctx, result.size, maxLen);
    for (const [m, score] of result) z.set(m, score);
    storeZSet(ctx, str(argv[1]), z, `z${op}store`);
  };
}

/** The input keys' positions, after the destination of a STORE form (COMMAND GETKEYS). */
function setopKeys(store: boolean) {
  return (argv: readonly Buffer[]): number[] => (store ? [1, ...numkeysPositions(argv, 2)] : numkeysPositions(argv, 1));
}

const G = 'sorted-set';
const STORE = CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS;
const READ = CMD_READONLY | CMD_MOVABLE_KEYS;

/** ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD. */
export const zsetSetopCommands: CommandDef[] = [
  { ...def('zunion', -3, READ, [0, 0, 0], G, setop('union', false), 'Returns the union of multiple sorted sets.'), getKeys: setopKeys(false) },
  { ...def('zinter', -3, READ, [0, 0, 0], G, setop('inter', false), 'Returns the intersect of multiple sorted sets.'), getKeys: setopKeys(false) },
  { ...def('zdiff', -3, READ, [0, 0, 0], G, setop('diff', false), 'Returns the difference between multiple sorted sets.'), getKeys: setopKeys(false) },
  { ...def('zintercard', -3, READ, [0, 0, 0], G, setop('inter', false, true), 'Returns the number of members of the intersect of multiple sorted sets.'), getKeys: setopKeys(false) },
  { ...def('zunionstore', -4, STORE, [1, 1, 1], G, setop('union', true), 'Stores the union of multiple sorted sets in a key.'), getKeys: setopKeys(true) },
  { ...def('zinterstore', -4, STORE, [1, 1, 1], G, setop('inter', true), 'Stores the intersect of multiple sorted sets in a key.'), getKeys: setopKeys(true) },
  { ...def('zdiffstore', -4, STORE, [1, 1, 1], G, setop('diff', true), 'Stores the difference of multiple sorted sets in a key.'), getKeys: setopKeys(true) },
];
