#!/usr/bin/env node
// nevio-http's WebSocket echo, as the bench's "nevio-ws" peer: the same program as ws-echo.js,
// written against @nevio/http (its WebSocketServer mirrors ws's noServer mode).
const { createServer, WebSocketServer } = require('@nevio/http');
const { portFromArgs } = require('./args');

const server = createServer((req, res) => res.writeHead(426).end());
const wss = new WebSocketServer();
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
});
const port = portFromArgs(process.argv);
server.listen(`tcp://127.0.0.1:${port}`).then(() => console.log(`nevio-ws echo listening on 127.0.0.1:${port}`));
