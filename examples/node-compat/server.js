// Runs app.js on node:http or on @nevio/http: `node examples/node-compat/server.js nevio 8080`.
const { app } = require('./app');

async function main(kind = 'nevio', port = 8080) {
  if (kind === 'node') {
    const server = require('node:http').createServer(app);
    await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
    return { port: server.address().port, stop: () => new Promise((resolve) => server.close(resolve)) };
  }
  const server = await require('@nevio/http').createServer(app).listen(`tcp://127.0.0.1:${port}`);
  return { port: server.port, stop: () => server.stop() };
}

module.exports = { main };
if (require.main === module) {
  main(process.argv[2], Number(process.argv[3] ?? 8080)).then((server) => {
    console.log(`${process.argv[2] ?? 'nevio'} listening on 127.0.0.1:${server.port}`);
    process.once('SIGINT', () => server.stop());
  });
}
