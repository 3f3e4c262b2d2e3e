#!/usr/bin/env node
// The natural Node HTTPS server, as the bench's "node-https" peer: https.createServer with
// Node's defaults answering Hello, World! (the node-http peer's handler).
const https = require('node:https');
const { hello } = require('./hello');
const { tlsArgs } = require('./tls-args');

const { port, cert, key } = tlsArgs(process.argv);
const server = https.createServer({ cert, key }, hello);
server.on('tlsClientError', () => {});
server.listen(port, '127.0.0.1', () => {
  console.log(`node-https listening on 127.0.0.1:${server.address().port}`);
});
