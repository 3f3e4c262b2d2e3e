#!/usr/bin/env node
// The natural Node HTTP server, as the bench's "node-http" peer: nothing tuned.
const http = require('node:http');
const { portFromArgs } = require('./args');

const body = 'Hello, World!';
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/') {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    res.end(body);
  } else {
    res.writeHead(404, { 'Content-Length': 0 });
    res.end();
  }
});
server.listen(portFromArgs(process.argv), '127.0.0.1', () => {
  console.log(`node-http listening on 127.0.0.1:${server.address().port}`);
});
