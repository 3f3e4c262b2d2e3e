// Geo commands against redis-server: random points added to both, then the stored scores
// (ZRANGE WITHSCORES), positions, hashes, distances and random searches compared byte for byte,
// and the arguments Redis refuses refused with its errors.
import { Rng } from '../algo/support';
import type { Arg, RawClient } from './harness';
import { cmds, itMatchesInBothProtocols, useGeoHllRig } from './geo-hll-rig';

const ctx = useGeoHllRig();

/** A RESP2 flat array of member, score pairs as [member, score]. */
function pairs(reply: Buffer): [string, number][] {
  const items = reply.toString('latin1').split('\r\n').filter((l, i) => i > 0 && !l.startsWith('$') && l !== '');
  const out: [string, number][] = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push([items[i], Number(items[i + 1])]);
  return out;
}

/** A uniform double in [min, max) with all 53 bits random. */
function uniform(rng: Rng, min: number, max: number): number {
  const r = (rng.u32() * 2 ** 21 + (rng.u32() >>> 11)) / 2 ** 53;
  return min + r * (max - min);
}

/** Points as GEOADD arguments: worldwide, clustered near one spot, on the limits, and duplicates. */
function points(rng: Rng, n: number, prefix: string): string[] {
  const args: string[] = [];
  for (let i = 0; i < n; i++) {
    let lon: number;
    let lat: number;
    const kind = rng.int(10);
    if (kind < 4) [lon, lat] = [uniform(rng, -180, 180), uniform(rng, -85.05112878, 85.05112878)];
    else if (kind < 8) [lon, lat] = [uniform(rng, 13, 15.5), uniform(rng, 36.5, 38.5)];
    else if (kind === 8) [lon, lat] = [rng.pick([-180, 180, 0, 179.99999, -179.99999]), rng.pick([-85.05112878, 85.05112878, 0, 85, -85])];
    else [lon, lat] = [14, 37.5];
    args.push(String(lon), String(lat), `${prefix}${i}`);
  }
  return args;
}

/** A random search of `key` (both GEOSEARCH and GEORADIUS forms), with random options. */
function search(rng: Rng, key: string, members: number): Arg[][] {
  const [lon, lat] = rng.int(2) === 0 ? [uniform(rng, 13, 15.5), uniform(rng, 36.5, 38.5)] : [uniform(rng, -180, 180), uniform(rng, -85, 85)];
  const unit = rng.pick(['m', 'km', 'mi', 'ft']);
  const scale = { m: 1000, km: 1, mi: 0.62, ft: 3280 }[unit];
  const size = String(rng.pick([0, 0.5, 5, 50, 200, 1000, 6000, 25000]) * scale);
  const opts: string[] = [];
  for (const o of ['WITHDIST', 'WITHCOORD', 'WITHHASH']) if (rng.int(2) === 0) opts.push(o);
  const sort = rng.pick(['', 'ASC', 'DESC']);
  if (sort !== '') opts.push(sort);
  if (rng.int(2) === 0) opts.push('COUNT', String(1 + rng.int(30)), ...(rng.int(3) === 0 ? ['ANY'] : []));
  const from = rng.int(3) === 0 ? ['FROMMEMBER', `p${rng.int(members)}`] : ['FROMLONLAT', String(lon), String(lat)];
  const by = rng.int(2) === 0 ? ['BYRADIUS', size, unit] : ['BYBOX', size, String(rng.pick([0.1, 1, 3]) * Number(size)), unit];
  const script: Arg[][] = [['GEOSEARCH', key, ...from, ...by, ...opts]];
  if (by[0] === 'BYRADIUS') {
    script.push(from[0] === 'FROMMEMBER' ? ['GEORADIUSBYMEMBER', key, from[1], size, unit, ...opts] : ['GEORADIUS', key, String(lon), String(lat), size, unit, ...opts]);
  }
  const store = opts.filter((o) => !o.startsWith('WITH'));
  // Geohash scores must be identical; STOREDIST's distances go through sin/cos/asin, which may
  // differ from glibc's in the last bit, so those are compared by member (and numerically below).
  const dist = rng.int(2) === 0;
  script.push(['GEOSEARCHSTORE', 'dst', key, ...from, ...by, ...store, ...(dist ? ['STOREDIST'] : [])], dist ? ['ZCARD', 'dst'] : ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES']);
  return script;
}

describe('geo sets are byte-identical to redis-server', () => {
  it('stores the same scores for random points, and decodes them the same', async () => {
    const rng = new Rng(1);
    const add = points(rng, 3000, 'p');
    const script: Arg[][] = [['FLUSHALL']];
    for (let i = 0; i < add.length; i += 300) script.push(['GEOADD', 'g', ...add.slice(i, i + 300)]);
    script.push(['ZRANGE', 'g', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'g']);
    const members = Array.from({ length: 3000 }, (_, i) => `p${i}`);
    for (let i = 0; i < members.length; i += 250) script.push(['GEOPOS', 'g', ...members.slice(i, i + 250), 'nosuch'], ['GEOHASH', 'g', ...members.slice(i, i + 250), 'nosuch']);
    for (let i = 0; i < 300; i++) script.push(['GEODIST', 'g', rng.pick(members), rng.pick(members), rng.pick(['m', 'km', 'mi', 'ft'])]);
    expect(await ctx.rig.run(script)).toEqual([]);
  });

  it('finds the same members in random searches (radius and box, every option)', async () => {
    const rng = new Rng(2);
    const script: Arg[][] = [['FLUSHALL'], ['GEOADD', 'g', ...points(rng, 2000, 'p')], ['GEOADD', 'small', ...points(rng, 60, 'p')]];
    for (let i = 0; i < 250; i++) script.push(...search(rng, i % 5 === 0 ? 'small' : 'g', i % 5 === 0 ? 60 : 2000));
    expect(await ctx.rig.run(script)).toEqual([]);
  });

  it('orders equally distant members as Redis (stable sort, and pqsort with COUNT)', async () => {
    const script: Arg[][] = [['FLUSHALL']];
    const same: string[] = [];
    for (let i = 0; i < 60; i++) same.push('14', '37.5', `same${i}`, String(14 + (i % 7) * 0.001), '37.5', `ring${i}`);
    script.push(['GEOADD', 't', ...same]);
    for (const count of ['1', '3', '7', '20', '59', '100']) {
      for (const order of ['ASC', 'DESC']) script.push(['GEOSEARCH', 't', 'FROMLONLAT', '14', '37.5', 'BYRADIUS', '50', 'km', order, 'COUNT', count], ['GEORADIUS', 't', '14', '37.5', '50', 'km', 'COUNT', count, order, 'WITHDIST']);
    }
    expect(await ctx.rig.run(script)).toEqual([]);
  });

  it('stores results with STORE and STOREDIST like Redis', async () => {
    const rng = new Rng(4);
    const script: Arg[][] = [['FLUSHALL'], ['GEOADD', 'g', ...points(rng, 500, 'p')], ['SET', 'dst', 'x'], ['EXPIRE', 'dst', '100']];
    script.push(['GEORADIUS', 'g', '14', '37.5', '100', 'km', 'STORE', 'dst'], ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'], ['TTL', 'dst'], ['OBJECT', 'ENCODING', 'dst']);
    script.push(['GEORADIUS', 'g', '14', '37.5', '300', 'km', 'STOREDIST', 'dst', 'COUNT', '10', 'DESC'], ['ZCARD', 'dst'], ['GEORADIUSBYMEMBER', 'g', 'p3', '200', 'km', 'STORE', 'dst2', 'STOREDIST', 'dst3'], ['EXISTS', 'dst2']);
    script.push(['GEOSEARCHSTORE', 'dst', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'm'], ['EXISTS', 'dst']);
    script.push(['GEOSEARCHSTORE', 'dst', 'nokey', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'm'], ['GEORADIUS', 'nokey', '0', '0', '1', 'm', 'STORE', 'g']);
    script.push(['EXISTS', 'g']);
    expect(await ctx.rig.run(script)).toEqual([]);
    // The distances STOREDIST stored: the same members, scores equal to within 1e-12.
    const stored = async (c: RawClient): Promise<[string, number][]> => pairs(await c.send(['ZRANGE', 'dst3', '0', '-1', 'WITHSCORES']));
    const [want, got] = [await stored(ctx.rig.redis), await stored(ctx.rig.nevio)];
    expect(got.map(([m]) => m)).toEqual(want.map(([m]) => m));
    want.forEach(([, d], i) => expect(Math.abs(got[i][1] - d)).toBeLessThanOrEqual(1e-12 * Math.max(1, d)));
  });
});

describe('geo commands and their errors match redis-server', () => {
  itMatchesInBothProtocols(
    ctx,
    `
    flushall
    geoadd nyc -73.9454966 40.747533 lic
    geoadd nyc -73.9454966 40.747533 lic
    geoadd nyc CH 40.747533 -73.9454966 lic
    geoadd nyc NX -73.9454966 40.747533 lic
    geoadd nyc XX -83.9454966 40.747533 lic
    geoadd nyc CH XX -73.9454966 40.747533 lic
    geoadd nyc xx nx -73.9454966 40.747533 lic
    geoadd nyc ch xx foo -73.9454966 40.747533 lic
    geoadd nyc -73.9454966 40.747533 lic foo bar luck
    geoadd nyc 181 0 x
    geoadd nyc 0 85.06 x
    geoadd nyc -0 -86 x
    geoadd nyc inf 0 x
    geoadd nyc nan 0 x
    geoadd nyc 1e400 0 x
    geoadd nyc 0x10 0 x
    geoadd nyc 200.0078125 0.5 x
    geoadd nyc 1e300 0 x
    geoadd nyc ch ch ch ch
    geoadd nyc gt 1 2 x
    geoadd nyc 180 85.05112878 edge -180 -85.05112878 edge2
    zrange nyc 0 -1 withscores
    geopos nyc edge edge2 lic nosuch
    geohash nyc edge edge2 lic nosuch
    geopos nokey a b
    geohash nokey a b
    geodist nyc lic edge
    geodist nyc lic edge km
    geodist nyc lic edge KM
    geodist nyc lic edge furlong
    geodist nyc lic edge km extra
    geodist nyc lic nosuch
    geodist nokey a b
    geodist nyc lic lic
    zadd weird -1 neg 1e300 huge 1.5 frac 9007199254740993 big -inf ninf
    geopos weird neg huge frac big ninf
    geohash weird neg huge frac big ninf
    geodist weird neg huge
    georadius nyc -73.9798091 40.7598464 0 km
    georadius nyc -73.9798091 40.7598464 -1 km
    georadius nyc -73.9798091 40.7598464 inf km withdist
    georadius nyc -73.9798091 40.7598464 1e308 km withcoord
    georadius nyc -73.9798091 40.7598464 x km
    georadius nyc -73.9798091 40.7598464 3 parsecs
    georadius nyc -73.9798091 100 3 km
    georadius nyc -73.9798091 40.7598464 3000 km count 9223372036854775807
    georadius nyc -73.9798091 40.7598464 3000 km count 9223372036854775807 any
    georadius nyc -73.9798091 40.7598464 3000 km count 9223372036854775808
    georadius nyc -73.9798091 40.7598464 3000 km count 0
    georadius nyc -73.9798091 40.7598464 3000 km count -5
    georadius nyc -73.9798091 40.7598464 3000 km count
    georadius nyc -73.9798091 40.7598464 3000 km any
    georadius nyc -73.9798091 40.7598464 3000 km any asc count 1
    georadius nyc -73.9798091 40.7598464 3000 km store
    georadius nyc -73.9798091 40.7598464 3000 km store d withdist
    georadius nyc -73.9798091 40.7598464 3000 km storedist d withhash
    georadius_ro nyc -73.9798091 40.7598464 3000 km store d
    georadius nyc -73.9798091 40.7598464 3000 km frommember lic
    georadius nyc -73.9798091 40.7598464 3000 km withdist withhash withcoord asc
    georadiusbymember nyc lic 3000 km withdist withhash withcoord desc
    georadiusbymember nyc nosuch 3000 km
    georadiusbymember nyc lic -3 km
    georadiusbymember nokey nosuch -3 km
    georadiusbymember nokey nosuch 3 km store d
    georadiusbymember nokey nosuch 3 km bogus
    georadiusbymember_ro nyc lic 3000 km withdist
    georadiusbymember_ro nyc lic 3000 km storedist d
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox 6 6 km asc
    geosearch nyc fromlonlat -73.9798091 40.7598464 frommember lic bybox 6 6 km
    geosearch nyc frommember lic fromlonlat -73.9798091 40.7598464 bybox 6 6 km
    geosearch nyc frommember lic frommember edge bybox 600 600 km
    geosearch nyc bybox 3 3 km asc desc withhash withdist withcoord
    geosearch nyc fromlonlat -73.9798091 40.7598464 byradius 3 km bybox 3 3 km asc
    geosearch nyc fromlonlat -73.9798091 40.7598464 asc desc withhash withdist withcoord
    GEOSEARCH nyc fromlonlat -73.9798091 40.7598464 asc
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox 6 6 km asc storedist
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox 6 6 km store d
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox -6 6 km
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox 6 x km
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox x -1 km
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox 6 6 yards
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox 0 0 km
    geosearch nyc fromlonlat -73.9798091 40.7598464 bybox 1e300 1e300 km withdist
    geosearch nyc fromlonlat 200 40 byradius 3 km
    geosearch nyc frommember nosuch byradius 3 km
    geosearch nokey frommember nosuch byradius 3 km
    geosearch nokey frommember nosuch byradius -3 km
    geosearch nyc fromlonlat -73.9798091 40.7598464 byradius 6 km withdist withcoord withhash count 2 any
    geosearchstore d nyc fromlonlat -73.9798091 40.7598464 byradius 3000 km storedist
    zrange d 0 -1 withscores
    geosearchstore d nyc fromlonlat -73.9798091 40.7598464 byradius 3000 km withdist
    geosearchstore d nyc fromlonlat -73.9798091 40.7598464 byradius 3000 km store x
    set str x
    geoadd str 1 1 a
    geopos str a
    geohash str a
    geodist str a b
    georadius str 1 1 1 km
    georadiusbymember str m 1 km
    geosearch str fromlonlat 0 0 byradius 1 km
    geosearchstore d str fromlonlat 0 0 byradius 1 km
    geosearchstore str nyc fromlonlat -73.9798091 40.7598464 byradius 3000 km
    type str
    geoadd
    geoadd k 1 2
    geodist k a
    georadius k 1 2 3
    geosearch k fromlonlat 1 2
    geosearchstore d k fromlonlat 1 2 byradius
    `,
  );
});

describe('geo with a huge radius stays complete', () => {
  it('returns every point for a radius covering the Earth', async () => {
    const rng = new Rng(5);
    const script: Arg[][] = [['FLUSHALL'], ['GEOADD', 'w', ...points(rng, 1000, 'p')]];
    script.push(['GEORADIUS', 'w', '0', '0', '50000', 'km', 'COUNT', '5'], ['GEOSEARCH', 'w', 'FROMLONLAT', '0', '0', 'BYBOX', '90000', '90000', 'km', 'COUNT', '3', 'DESC']);
    script.push(['GEOSEARCH', 'w', 'FROMLONLAT', '179.9', '85', 'BYRADIUS', '30000', 'km', 'COUNT', '4', 'ASC', 'WITHDIST']);
    script.push(['GEORADIUS', 'w', '0', '0', '50000', 'km'], ['GEOSEARCH', 'w', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1e300', 'km', 'COUNT', '9223372036854775807']);
    expect(await ctx.rig.run(script)).toEqual([]);
    const reply = await ctx.rig.nevio.send(['GEORADIUS', 'w', '0', '0', '50000', 'km']);
    expect(Number(/^\*(\d+)/.exec(reply.toString('latin1'))?.[1])).toBeGreaterThan(900);
  });
});
