#!/usr/bin/env node
// The `ws` package on node:http, as the bench's "ws" peer: the WebSocket echo a Node user writes.
// `ws` as npm installs it by default, without its optional native helpers (bufferutil), and
// without permessage-deflate (its server default).
const http = require('node:http');
const { WebSocketServer } = require('ws');
const { portFromArgs } = require('./args');

const server = http.createServer((req, res) => res.writeHead(426).end());
const wss = new WebSocketServer({ server });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  // A client that resets mid-run is normal under load; it must not crash the peer.
  ws.on('error', () => ws.terminate());
});
server.listen(portFromArgs(process.argv), '127.0.0.1', () => {
  console.log(`ws echo listening on 127.0.0.1:${server.address().port}`);
});
