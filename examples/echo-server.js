// The echo server as a library: TCP and a unix socket on one event loop.
const { startEcho } = require('@nevio/echo');

async function main(addrs = ['tcp://127.0.0.1:5000', 'unix:///tmp/nevio-echo.sock']) {
  const server = await startEcho(addrs);
  console.log(`echo on ${server.addrs.join(', ')}`);
  return server;
}

module.exports = { main };
if (require.main === module) {
  main(process.argv.slice(2).length ? process.argv.slice(2) : undefined).then((server) => {
    process.once('SIGINT', () => server.stop());
  });
}
