// An HTTP server on @nevio/http: a text route, a body echo, JSON with the query string.
const { createServer } = require('@nevio/http');

async function main(addr = 'tcp://127.0.0.1:8080') {
  const server = await createServer(
    async (req, res) => {
      if (req.method === 'GET' && req.path === '/') return res.end('Hello, World!');
      if (req.method === 'POST' && req.path === '/echo') return res.end(await req.body());
      if (req.path === '/hi') return res.json({ hello: req.query.get('name') ?? 'world' });
      res.status(404).end('Not Found\n');
    },
    { maxBodySize: 1 << 20, keepAliveTimeout: 5000 },
  ).listen(addr);
  console.log(`listening on ${server.addr}`);
  return server;
}

module.exports = { main };
if (require.main === module) {
  main(process.argv[2] ?? process.env.ADDR).then((server) => process.once('SIGINT', () => server.stop()));
}
