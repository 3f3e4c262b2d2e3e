// A WebSocket echo on @nevio/http: WebSocketServer takes the connections server.on('upgrade') hands it.
const { createServer, WebSocketServer } = require('@nevio/http');

async function main(addr = 'tcp://127.0.0.1:8080') {
  const wss = new WebSocketServer({ perMessageDeflate: true, keepAlive: 30_000 });
  const server = createServer((req, res) => res.end('use a WebSocket'));
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  const listening = await server.listen(addr);
  console.log(`listening on ${listening.addr}`);
  return listening;
}

module.exports = { main };
if (require.main === module) {
  main(process.argv[2] ?? process.env.ADDR).then((server) => process.once('SIGINT', () => server.stop()));
}
