// A static file server: content types, 404, 403 on traversal, ETag/Last-Modified, ranges.
const { createServer, serveStatic } = require('@nevio/http');

async function main(root = './public', addr = 'tcp://127.0.0.1:8080') {
  const server = await createServer(serveStatic(root)).listen(addr);
  console.log(`serving ${root} on ${server.addr}`);
  return server;
}

module.exports = { main };
if (require.main === module) {
  main(process.argv[2], process.argv[3]).then((server) => process.once('SIGINT', () => server.stop()));
}
