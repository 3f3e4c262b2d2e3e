#!/usr/bin/env node
/**
 * `nevio-redis [config-file] [--port 6379] [--bind 127.0.0.1] [--unixsocket PATH]
 *  [--requirepass X] [--appendonly yes] [--appendfsync everysec] [--dir DIR] [--databases 16]`
 *
 * @packageDocumentation
 */
import { parseArgs, type Config } from './config';
import { startRedis } from './listen';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`nevio-redis: ${(err as Error).message}\n`);
    process.exit(2);
  }
  if (config.multicore) {
    // Several loops would mean several heaps, hence several keyspaces: MULTI, WATCH, blocking
    // pops and multi-key commands would silently see only part of the data. Refuse instead.
    process.stderr.write(
      'nevio-redis: --multicore is not available: every command must see the one keyspace, which lives on\n' +
        'one event loop (redis-server runs its commands on one thread too). To use more cores, run one\n' +
        'nevio-redis per core on its own port (and shard by key in the client, as with Redis Cluster).\n',
    );
    process.exit(2);
  }
  const started = Date.now();
  let redis;
  try {
    redis = await startRedis(config);
  } catch (err) {
    process.stderr.write(`nevio-redis: cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const where = [
    ...redis.core.addrs.map((a) => a.toString()),
  ].join(', ');
  const aof = config.appendonly ? `, AOF ${config.appendfsync} in ${config.dir}` : '';
  process.stdout.write(
    `nevio-redis ${process.pid}: listening on ${where} (port ${redis.port}, pid ${process.pid}${aof}), ` +
      `loaded in ${Date.now() - started} ms. Ready to accept connections\n`,
  );
  let signalled = false;
  const onSignal = (sig: string): void => {
    if (signalled) return;
    signalled = true;
    process.stdout.write(`nevio-redis ${process.pid}: received ${sig}, shutting down\n`);
    void redis.stop();
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  await redis.done;
  process.stdout.write(`nevio-redis ${process.pid}: stopped\n`);
  process.exit(0);
}

void main();
