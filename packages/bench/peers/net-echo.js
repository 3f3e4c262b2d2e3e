#!/usr/bin/env node
// The natural Node echo server, as the bench's "node-net" peer: nothing tuned.
const net = require('node:net');
const { portFromArgs } = require('./args');

const server = net.createServer((socket) => {
  socket.on('data', (d) => socket.write(d));
  // A client that resets mid-run is normal under load; it must not crash the peer.
  socket.on('error', () => socket.destroy());
});
server.listen(portFromArgs(process.argv), '127.0.0.1', () => {
  console.log(`node-net echo listening on 127.0.0.1:${server.address().port}`);
});
