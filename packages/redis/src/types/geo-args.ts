/**
 * Geo command arguments with Redis 7.0's checks and error texts (geo.c's extract*OrReply):
 * coordinates, units, radii and boxes.
 *
 * @packageDocumentation
 */
import { CommandError, NOT_FLOAT, argIs, parseStrictDouble } from '../command';
import { GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN } from '../algo/geohash';
import { str } from './common';
import { printfFixed } from './geo-format';

/**
 * Plain decimals without an exponent, as coordinates usually come: with at most 20 digits
 * JavaScript's conversion is correctly rounded like strtod (ECMAScript allows approximation only
 * past 20 significant digits), and cannot overflow or underflow, so they skip the exact (bigint)
 * parser.
 */
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;
const PLAIN_MAX_LENGTH = 21;

/** getDoubleFromObjectOrReply: a strict double (no NaN, no leading space), or `msg`. */
function double(arg: Buffer, msg = NOT_FLOAT): number {
  const s = str(arg);
  if (s.length <= PLAIN_MAX_LENGTH && PLAIN_DECIMAL.test(s)) return Number(s);
  const v = parseStrictDouble(s);
  if (v === null) throw new CommandError(msg);
  return v;
}

/** extractLongLatOrReply: the longitude and latitude at argv[at], argv[at + 1]. */
export function parseLonLat(argv: Buffer[], at: number): [number, number] {
  const lon = double(argv[at]);
  const lat = double(argv[at + 1]);
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    throw new CommandError(`ERR invalid longitude,latitude pair ${printfFixed(lon, 6)},${printfFixed(lat, 6)}`);
  }
  return [lon, lat];
}

/** extractUnitOrReply: meters per unit of `m`, `km`, `ft` or `mi`. */
export function parseUnit(arg: Buffer): number {
  if (argIs(arg, 'm')) return 1;
  if (argIs(arg, 'km')) return 1000;
  if (argIs(arg, 'ft')) return 0.3048;
  if (argIs(arg, 'mi')) return 1609.34;
  throw new CommandError('ERR unsupported unit provided. please use M, KM, FT, MI');
}

/** extractDistanceOrReply: `<radius> <unit>` at argv[at] → [radius, meters per unit]. */
export function parseRadius(argv: Buffer[], at: number): [number, number] {
  const radius = double(argv[at], 'ERR need numeric radius');
  if (radius < 0) throw new CommandError('ERR radius cannot be negative');
  return [radius, parseUnit(argv[at + 1])];
}

/** extractBoxOrReply: `<width> <height> <unit>` at argv[at] → [width, height, meters per unit]. */
export function parseBox(argv: Buffer[], at: number): [number, number, number] {
  const width = double(argv[at], 'ERR need numeric width');
  const height = double(argv[at + 1], 'ERR need numeric height');
  if (height < 0 || width < 0) throw new CommandError('ERR height or width cannot be negative');
  return [width, height, parseUnit(argv[at + 2])];
}
