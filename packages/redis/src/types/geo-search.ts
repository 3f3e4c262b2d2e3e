/**
 * The geo searches: GEORADIUS, GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH and
 * GEOSEARCHSTORE, with Redis 7.0's argument order, checks and error texts (georadiusGeneric).
 *
 * A search reads the score ranges of the 9 geohash cells that cover the shape
 * (`algo/geohash-shape.ts`), in Redis's order, walking the sorted set from each range's first
 * member; it keeps the members inside the shape, then sorts, cuts to COUNT and replies or stores.
 * With COUNT … ANY it stops as soon as COUNT members were found, so it never reads more than it
 * returns; without ANY it must see every member in the cells to sort them, as Redis does.
 *
 * @packageDocumentation
 */
import { CommandError, NOTIFY_GENERIC, NOTIFY_ZSET, SYNTAX, argIs, int64Arg } from '../command';
import type { CommandContext, Reply } from '../command';
import { align52, decodeScore, isZeroHash, type GeoHashBits } from '../algo/geohash';
import { distanceIfWithin, searchCells, type GeoShape } from '../algo/geohash-shape';
import { str } from './common';
import { parseBox, parseLonLat, parseRadius } from './geo-args';
import { formatDistance, replyCoordinate } from './geo-format';
import { ascending, descending, partialSort } from './geo-sort';
import { RedisZSet } from './zset-commands';
import type { ScoreRange } from './zset';

/** A member found by a search. */
interface GeoPoint {
  member: string;
  score: number;
  /** Meters from the centre, then (before replying or storing) in the query's unit. */
  dist: number;
  longitude: number;
  latitude: number;
}

/** Which command the shared implementation runs as (Redis's RADIUS_* / GEOSEARCH* flags). */
interface Variant {
  /** GEORADIUS: the centre is given as coordinates at argv[2..3]. */
  readonly byCoords: boolean;
  /** GEORADIUSBYMEMBER: the centre is the member at argv[2]. */
  readonly byMember: boolean;
  /** The _RO forms: no STORE / STOREDIST. */
  readonly noStore: boolean;
  /** GEOSEARCH and GEOSEARCHSTORE: FROMMEMBER/FROMLONLAT and BYRADIUS/BYBOX options. */
  readonly search: boolean;
  /** GEOSEARCHSTORE: the destination is argv[1], the source argv[2]. */
  readonly searchStore: boolean;
}

const NOT_DECODED = 'ERR could not decode requested zset member';

const xy = new Float64Array(2);

/** The centre of a search from a member's position (longLatFromMember). */
function memberPosition(z: RedisZSet, member: Buffer): [number, number] {
  const score = z.score(str(member));
  if (score === undefined) throw new CommandError(NOT_DECODED);
  decodeScore(score, xy);
  return [xy[0], xy[1]];
}

/** The parsed request. */
interface Request {
  shape: GeoShape;
  withDist: boolean;
  withHash: boolean;
  withCoord: boolean;
  sort: 0 | 1 | -1;
  any: boolean;
  /** COUNT, 0 for none (an int64, as a bigint: it may be 2^63-1). */
  count: bigint;
  storeKey: string | null;
  storeDist: boolean;
}

/** Parses the request in Redis's order, throwing its first error; `z` is the source (or absent). */
function parseRequest(argv: Buffer[], v: Variant, z: RedisZSet | undefined): Request {
  let type: 'radius' | 'box' = 'radius';
  let lon = 0;
  let lat = 0;
  let radius = 0;
  let width = 0;
  let height = 0;
  let conversion = 0;
  let base: number;
  let storeKey: string | null = null;
  if (v.byCoords) {
    base = 6;
    [lon, lat] = parseLonLat(argv, 2);
    [radius, conversion] = parseRadius(argv, 4);
  } else if (v.byMember) {
    base = 5;
    // Without a source the arguments are still parsed (for the reply's kind), the radius not.
    if (z !== undefined) {
      [lon, lat] = memberPosition(z, argv[2]);
      [radius, conversion] = parseRadius(argv, 3);
    }
  } else {
    base = v.searchStore ? 3 : 2;
    if (v.searchStore) storeKey = str(argv[1]);
  }

  let withDist = false;
  let withHash = false;
  let withCoord = false;
  let fromMember = false;
  let fromLonLat = false;
  let byRadius = false;
  let byBox = false;
  let sort: 0 | 1 | -1 = 0;
  let any = false;
  let count = 0n;
  let storeDist = false;
  const remaining = argv.length - base;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[base + i];
    const has = (n: number): boolean => i + n < remaining;
    if (argIs(arg, 'withdist')) withDist = true;
    else if (argIs(arg, 'withhash')) withHash = true;
    else if (argIs(arg, 'withcoord')) withCoord = true;
    else if (argIs(arg, 'any')) any = true;
    else if (argIs(arg, 'asc')) sort = 1;
    else if (argIs(arg, 'desc')) sort = -1;
    else if (argIs(arg, 'count') && has(1)) {
      count = int64Arg(argv[base + i + 1]);
      if (count <= 0n) throw new CommandError('ERR COUNT must be > 0');
      i++;
    } else if ((argIs(arg, 'store') || argIs(arg, 'storedist')) && has(1) && !v.noStore && !v.search) {
      storeKey = str(argv[base + i + 1]);
      storeDist = argIs(arg, 'storedist');
      i++;
    } else if (argIs(arg, 'storedist') && v.search && v.searchStore) {
      storeDist = true;
    } else if (argIs(arg, 'frommember') && has(1) && v.search && !fromLonLat) {
      if (z !== undefined) [lon, lat] = memberPosition(z, argv[base + i + 1]);
      fromMember = true;
      i++;
    } else if (argIs(arg, 'fromlonlat') && has(2) && v.search && !fromMember) {
      [lon, lat] = parseLonLat(argv, base + i + 1);
      fromLonLat = true;
      i += 2;
    } else if (argIs(arg, 'byradius') && has(2) && v.search && !byBox) {
      [radius, conversion] = parseRadius(argv, base + i + 1);
      type = 'radius';
      byRadius = true;
      i += 2;
    } else if (argIs(arg, 'bybox') && has(3) && v.search && !byRadius) {
      [width, height, conversion] = parseBox(argv, base + i + 1);
      type = 'box';
      byBox = true;
      i += 3;
    } else throw new CommandError(SYNTAX);
  }

  if (storeKey !== null && (withDist || withHash || withCoord)) {
    throw new CommandError(`ERR ${v.searchStore ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  const name = argv[0].latin1Slice(0, argv[0].length);
  if (v.search && !(fromMember || fromLonLat)) throw new CommandError(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${name}`);
  if (v.search && !(byRadius || byBox)) throw new CommandError(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${name}`);
  if (any && count === 0n) throw new CommandError('ERR the ANY argument requires COUNT argument');
  const shape: GeoShape = { type, longitude: lon, latitude: lat, conversion, radius, width, height };
  return { shape, withDist, withHash, withCoord, sort, any, count, storeKey, storeDist };
}

/** geoGetPointsInRange over one cell's scores [min, max), appending what is inside the shape. */
function pointsInCell(z: RedisZSet, cell: GeoHashBits, shape: GeoShape, out: GeoPoint[], limit: number): void {
  const min = align52(cell.bits, cell.step);
  const max = align52(cell.bits + 1n, cell.step);
  const range: ScoreRange = { min, max, minEx: false, maxEx: true };
  for (let n = z.list.firstInScoreRange(range); n !== null && n.score < max; n = n.next[0]) {
    decodeScore(n.score, xy);
    const dist = distanceIfWithin(shape, xy[0], xy[1]);
    if (!(dist < 0)) out.push({ member: n.member, score: n.score, dist, longitude: xy[0], latitude: xy[1] });
    if (limit !== 0 && out.length >= limit) return;
  }
}

/**
 * membersOfAllNeighbors: every cell in turn, skipping the excluded (zero) ones and one equal to
 * the last cell read (huge radii make neighbours coincide), until `limit` points were found
 * (0: no limit; a COUNT beyond 2^53 is never reached, so its nearest double does).
 */
function searchMembers(z: RedisZSet, shape: GeoShape, limit: number): GeoPoint[] {
  const { cells } = searchCells(shape);
  const out: GeoPoint[] = [];
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (isZeroHash(cell)) continue;
    // `last` is 0 until a neighbour was read, and Redis's test of it then skips the check.
    if (last !== 0 && cell.bits === cells[last].bits && cell.step === cells[last].step) continue;
    if (limit !== 0 && out.length >= limit) break;
    pointsInCell(z, cell, shape, out, limit);
    last = i;
  }
  return out;
}

function replyPoints(r: Reply, points: GeoPoint[], n: number, q: Request): void {
  const options = (q.withDist ? 1 : 0) + (q.withCoord ? 1 : 0) + (q.withHash ? 1 : 0);
  r.array(n);
  for (let i = 0; i < n; i++) {
    const p = points[i];
    if (options > 0) r.array(options + 1);
    r.bulkKey(p.member);
    if (q.withDist) r.bulk(formatDistance(p.dist));
    if (q.withHash) r.integer(Math.trunc(p.score));
    if (q.withCoord) {
      r.array(2);
      replyCoordinate(r, p.longitude);
      replyCoordinate(r, p.latitude);
    }
  }
}

/** An empty result deletes the destination (with its `del` event when it existed). */
function deleteDestination(ctx: CommandContext, key: string): void {
  if (ctx.db.delete(key)) ctx.notify(NOTIFY_GENERIC, 'del', key);
}

/**
 * Stores the first `n` points as a sorted set (scores: geohashes, or distances with STOREDIST),
 * raising `event` (georadiusstore or geosearchstore).
 */
function storePoints(ctx: CommandContext, key: string, points: GeoPoint[], n: number, byDist: boolean, event: string): void {
  if (n === 0) return deleteDestination(ctx, key);
  const { db } = ctx;
  let maxLen = 0;
  for (let i = 0; i < n; i++) if (points[i].member.length > maxLen) maxLen = points[i].member.length;
  const z = RedisZSet.sized(n, maxLen, ctx.server.config);
  for (let i = 0; i < n; i++) z.set(points[i].member, byDist ? points[i].dist : points[i].score);
  db.set(key, 'zset', z);
  db.signalReady(key);
  ctx.notify(NOTIFY_ZSET, event, key);
}

/** georadiusGeneric: the source key is argv[srcAt]. */
function run(ctx: CommandContext, argv: Buffer[], srcAt: number, v: Variant): void {
  const { db } = ctx;
  const z = db.get<RedisZSet>(str(argv[srcAt]), 'zset');
  const q = parseRequest(argv, v, z);
  if (z === undefined) {
    if (q.storeKey === null) return ctx.reply.array(0);
    deleteDestination(ctx, q.storeKey);
    return ctx.reply.integer(0);
  }
  // COUNT without an order means the closest ones, unless ANY asked for any of them.
  if (q.count !== 0n && q.sort === 0 && !q.any) q.sort = 1;
  const points = searchMembers(z, q.shape, q.any ? Number(q.count) : 0);
  if (points.length === 0 && q.storeKey === null) return ctx.reply.array(0);
  const n = q.count === 0n || BigInt(points.length) < q.count ? points.length : Number(q.count);
  if (q.sort !== 0) {
    const cmp = q.sort === 1 ? ascending : descending;
    if (n === points.length) points.sort(cmp);
    else partialSort(points, cmp, 0, n - 1);
  }
  for (let i = 0; i < n; i++) points[i].dist /= q.shape.conversion;
  if (q.storeKey === null) return replyPoints(ctx.reply, points, n, q);
  storePoints(ctx, q.storeKey, points, n, q.storeDist, v.search ? 'geosearchstore' : 'georadiusstore');
  ctx.reply.integer(n);
}

const BY_COORDS: Variant = { byCoords: true, byMember: false, noStore: false, search: false, searchStore: false };
const BY_MEMBER: Variant = { byCoords: false, byMember: true, noStore: false, search: false, searchStore: false };

/** GEORADIUS / GEORADIUS_RO key longitude latitude radius unit [options]. */
export function georadius(readOnly: boolean) {
  const v: Variant = { ...BY_COORDS, noStore: readOnly };
  return (ctx: CommandContext, argv: Buffer[]): void => run(ctx, argv, 1, v);
}

/** GEORADIUSBYMEMBER / _RO key member radius unit [options]. */
export function georadiusByMember(readOnly: boolean) {
  const v: Variant = { ...BY_MEMBER, noStore: readOnly };
  return (ctx: CommandContext, argv: Buffer[]): void => run(ctx, argv, 1, v);
}

const SEARCH: Variant = { byCoords: false, byMember: false, noStore: false, search: true, searchStore: false };
const SEARCH_STORE: Variant = { ...SEARCH, searchStore: true };

/** GEOSEARCH key FROMMEMBER|FROMLONLAT … BYRADIUS|BYBOX … [options]. */
export function geosearch(ctx: CommandContext, argv: Buffer[]): void {
  run(ctx, argv, 1, SEARCH);
}

/** GEOSEARCHSTORE destination source … [STOREDIST]. */
export function geosearchstore(ctx: CommandContext, argv: Buffer[]): void {
  run(ctx, argv, 2, SEARCH_STORE);
}

/**
 * The keys of GEORADIUS (`from` 6) and GEORADIUSBYMEMBER (`from` 5) as Redis 7.0's key specs
 * find them: the source, then the argument after the first STORE and after the first STOREDIST
 * searched from argv[from] on.
 */
export function georadiusKeys(from: number): (argv: readonly Buffer[]) => number[] {
  return (argv) => {
    const keys = [1];
    for (const word of ['store', 'storedist']) {
      for (let i = from; i < argv.length; i++) {
        if (argIs(argv[i], word)) {
          if (i + 1 < argv.length) keys.push(i + 1);
          break;
        }
      }
    }
    return keys;
  };
}
