// nevio-redis inside your own process: any Redis client can connect to it.
const { defaultConfig, startRedis } = require('@nevio/redis');

async function main(port = 6380) {
  const redis = await startRedis({
    ...defaultConfig(),
    port,
    bind: ['127.0.0.1'],
    requirepass: 's3cret', // clients must AUTH first
    appendonly: false, // true: every write is logged to DIR/appendonlydir/ and replayed on start
  });
  console.log(`nevio-redis on 127.0.0.1:${redis.port}`);
  return redis;
}

module.exports = { main };
if (require.main === module) {
  main(Number(process.argv[2] ?? 6380)).then((redis) => process.once('SIGINT', () => redis.stop()));
}
