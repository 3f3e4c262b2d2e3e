#!/usr/bin/env node
// The natural Node HTTPS server, as the bench's "node-https" peer: https.createServer with
// Node's defaults answering Hello, World! (the node-http peer's handler).
const https = require('node:https');
const { tlsArgs } = require('./tls-args');

const { port, cert, key } = tlsArgs(process.argv);
const body = 'Hello, World!';
const server = https.createServer({ cert, key }, (req, res) => {
  if (req.method === 'GET' && req.url === '/') {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    res.end(body);
  } else {
    res.writeHead(404, { 'Content-Length': 0 });
    res.end();
  }
});
server.on('tlsClientError', () => {});
server.listen(port, '127.0.0.1', () => {
  console.log(`node-https listening on 127.0.0.1:${server.address().port}`);
});
