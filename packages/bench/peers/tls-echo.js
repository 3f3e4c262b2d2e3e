#!/usr/bin/env node
// The natural Node TLS echo server, as the bench's "node-tls" peer: tls.createServer with
// Node's defaults, socket.on('data', d => socket.write(d)).
const tls = require('node:tls');
const { tlsArgs } = require('./tls-args');

const { port, cert, key } = tlsArgs(process.argv);
const server = tls.createServer({ cert, key }, (socket) => {
  socket.on('data', (d) => socket.write(d));
  // A client that resets mid-run (or mid-handshake) is normal under load; it must not crash the peer.
  socket.on('error', () => socket.destroy());
});
server.on('tlsClientError', () => {});
server.listen(port, '127.0.0.1', () => {
  console.log(`node-tls echo listening on 127.0.0.1:${server.address().port}`);
});
