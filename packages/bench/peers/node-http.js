#!/usr/bin/env node
// The natural Node HTTP server, as the bench's "node-http" peer: nothing tuned.
const http = require('node:http');
const { portFromArgs } = require('./args');
const { hello } = require('./hello');

const server = http.createServer(hello);
server.listen(portFromArgs(process.argv), '127.0.0.1', () => {
  console.log(`node-http listening on 127.0.0.1:${server.address().port}`);
});
