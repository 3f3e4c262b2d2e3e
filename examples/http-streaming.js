// A streamed request body read as it arrives, and a streamed (chunked) response that waits for
// the client when its output passes the high watermark.
const { createServer } = require('@nevio/http');

async function main(addr = 'tcp://127.0.0.1:8080') {
  const server = await createServer(
    async (req, res) => {
      let bytes = 0;
      for await (const chunk of req) bytes += chunk.length; // arrives as it is received
      for (let i = 0; i < 1000; i++) {
        if (!res.write(`line ${i} of a body of ${bytes} bytes\n`)) await res.drain();
      }
      res.end(); // chunked encoding
    },
    { streamBody: true },
  ).listen(addr);
  console.log(`listening on ${server.addr}`);
  return server;
}

module.exports = { main };
if (require.main === module) {
  main(process.argv[2]).then((server) => process.once('SIGINT', () => server.stop()));
}
