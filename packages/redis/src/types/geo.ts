/**
 * Geo commands. A geo set is a sorted set whose scores are 52-bit geohashes (`algo/geohash.ts`),
 * as in Redis 7.0: GEOADD hands ZADD the scores, so ZRANGE WITHSCORES shows redis-server's
 * numbers and every sorted-set command works on geo sets. The searches (GEORADIUS, GEOSEARCH, …)
 * are in `geo-search.ts`.
 *
 * @packageDocumentation
 */
import { CMD_DENYOOM, CMD_MOVABLE_KEYS, CMD_READONLY, CMD_WRITE, CommandError, KEY1, SYNTAX, argIs, def } from '../command';
import type { CommandContext, CommandDef, Db } from '../command';
import { decodeScore, geoScore, standardGeohash } from '../algo/geohash';
import { geoDistance } from '../algo/geohash-shape';
import { str } from './common';
import { parseLonLat, parseUnit } from './geo-args';
import { formatDistance, replyCoordinate } from './geo-format';
import { georadiusKeys, georadius, georadiusByMember, geosearch, geosearchstore } from './geo-search';
import { zaddPairs, type RedisZSet, type ZaddOptions } from './zset-commands';

function getGeo(db: Db, key: string): RedisZSet | undefined {
  return db.get<RedisZSet>(key, 'zset');
}

/** GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...] */
function geoadd(ctx: CommandContext, argv: Buffer[]): void {
  const o: ZaddOptions = { nx: false, xx: false, gt: false, lt: false, ch: false, incr: false };
  let at = 2;
  for (; at < argv.length; at++) {
    if (argIs(argv[at], 'nx')) o.nx = true;
    else if (argIs(argv[at], 'xx')) o.xx = true;
    else if (argIs(argv[at], 'ch')) o.ch = true;
    else break;
  }
  // No triple at all is ZADD's syntax error in Redis (its argv then has no score-member pair).
  if (at === argv.length || (argv.length - at) % 3 !== 0 || (o.xx && o.nx)) throw new CommandError(SYNTAX);
  // As ZADD key [options] score member ..., every coordinate checked before anything is added;
  // the scores go to ZADD's work as numbers (Redis prints them for ZADD to parse back: same value).
  const pairs: [number, string][] = [];
  for (let i = at; i < argv.length; i += 3) {
    const [lon, lat] = parseLonLat(argv, i);
    pairs.push([geoScore(lon, lat), str(argv[i + 2])]);
  }
  zaddPairs(ctx, str(argv[1]), pairs, o);
}

const xy = new Float64Array(2);

/** GEOPOS key [member ...] */
function geopos(ctx: CommandContext, argv: Buffer[]): void {
  const z = getGeo(ctx.db, str(argv[1]));
  const r = ctx.reply;
  r.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = z?.score(str(argv[i]));
    if (score === undefined) {
      r.nullArray();
      continue;
    }
    decodeScore(score, xy);
    r.array(2);
    replyCoordinate(r, xy[0]);
    replyCoordinate(r, xy[1]);
  }
}

/** GEOHASH key [member ...] */
function geohash(ctx: CommandContext, argv: Buffer[]): void {
  const z = getGeo(ctx.db, str(argv[1]));
  const r = ctx.reply;
  r.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = z?.score(str(argv[i]));
    if (score === undefined) r.nil();
    else r.bulk(standardGeohash(score));
  }
}

/** GEODIST key member1 member2 [M|KM|FT|MI] */
function geodist(ctx: CommandContext, argv: Buffer[]): void {
  let toMeters = 1;
  if (argv.length === 5) toMeters = parseUnit(argv[4]);
  else if (argv.length > 5) throw new CommandError(SYNTAX);
  const z = getGeo(ctx.db, str(argv[1]));
  const s1 = z?.score(str(argv[2]));
  const s2 = z?.score(str(argv[3]));
  if (s1 === undefined || s2 === undefined) return ctx.reply.nil();
  decodeScore(s1, xy);
  const [lon1, lat1] = xy;
  decodeScore(s2, xy);
  ctx.reply.bulk(formatDistance(geoDistance(lon1, lat1, xy[0], xy[1]) / toMeters));
}

const G = 'geo';
const R = CMD_READONLY;
const W = CMD_WRITE | CMD_DENYOOM;

/** The geo commands. */
export const geoCommands: readonly CommandDef[] = [
  def('geoadd', -5, W, KEY1, G, geoadd, 'Add one or more geospatial items in the geospatial index represented using a sorted set'),
  def('geodist', -4, R, KEY1, G, geodist, 'Returns the distance between two members of a geospatial index'),
  def('geohash', -2, R, KEY1, G, geohash, 'Returns members of a geospatial index as standard geohash strings'),
  def('geopos', -2, R, KEY1, G, geopos, 'Returns longitude and latitude of members of a geospatial index'),
  {
    ...def('georadius', -6, W | CMD_MOVABLE_KEYS, KEY1, G, georadius(false), 'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point'),
    getKeys: georadiusKeys(6),
  },
  def('georadius_ro', -6, R, KEY1, G, georadius(true), 'A read-only variant for GEORADIUS'),
  {
    ...def('georadiusbymember', -5, W | CMD_MOVABLE_KEYS, KEY1, G, georadiusByMember(false), 'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member'),
    getKeys: georadiusKeys(5),
  },
  def('georadiusbymember_ro', -5, R, KEY1, G, georadiusByMember(true), 'A read-only variant for GEORADIUSBYMEMBER'),
  def('geosearch', -7, R, KEY1, G, geosearch, 'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.'),
  def('geosearchstore', -8, W, [1, 2, 1], G, geosearchstore, 'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.'),
];
