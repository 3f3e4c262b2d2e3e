// Keyspace events of the HyperLogLog and geo commands, compared with redis-server: the same
// script runs against both while a PSUBSCRIBE * client (ioredis) records what arrives.
import { bothServers, recordEventsWith } from '../support/events';
import Redis from 'ioredis';

const both = bothServers();

test('PFADD, PFMERGE and the geo stores raise the events redis-server raises', async () => {
  const script = async (c: Redis): Promise<void> => {
    // Data first, with events off (GEOADD's are ZADD's).
    await c.geoadd('pts', 13.361389, 38.115556, 'Palermo', 15.087269, 37.502669, 'Catania');
    await c.config('SET', 'notify-keyspace-events', 'KE$zg');
    await c.pfadd('h', 'a', 'b', 'c');
    await c.pfadd('h', 'a'); // nothing changed: no event
    await c.pfcount('h'); // caches the cardinality, no event
    await c.pfmerge('h2', 'h');
    await c.georadius('pts', 15, 37, 200, 'km', 'STORE', 'd');
    await c.call('GEOSEARCHSTORE', 'd2', 'pts', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST');
    await c.georadius('pts', -100, 0, 1, 'km', 'STORE', 'd'); // empty: deletes d
    await c.call('GEOSEARCHSTORE', 'd2', 'nokey', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'); // no source: deletes d2
    await c.call('GEOSEARCHSTORE', 'd3', 'nokey', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'); // nothing to delete
  };
  const want = await recordEventsWith(both.real.port, script);
  const got = await recordEventsWith(both.nevio.port, script);
  expect(want.length).toBeGreaterThan(0);
  expect(got).toEqual(want);
});
