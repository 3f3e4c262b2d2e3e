// Blocking or CPU-heavy work goes to a worker-thread pool (piscina), never into `react`: the
// event loop keeps serving every other connection while a job runs.
//
//   sleep <ms>   a blocking job; its result comes back through conn.asyncWrite
//   direct <ms>  the job writes to the connection itself, from the pool's thread (remoteWrite)
//   anything else is echoed at once
const path = require('node:path');
const { Piscina } = require('piscina');
const { serve } = require('@nevio/core');

async function main(addr = 'tcp://127.0.0.1:5000') {
  const pool = new Piscina({ filename: path.join(__dirname, 'job.js'), maxThreads: 2 });
  const server = await serve(
    {
      react(conn, data) {
        const [command, arg] = data.toString().trim().split(' ');
        const failed = (error) => conn.asyncWrite(`error: ${error.message}\n`);
        if (command === 'sleep') {
          pool.run({ ms: Number(arg) }).then((result) => conn.asyncWrite(`${result}\n`), failed);
          return;
        }
        if (command === 'direct') {
          pool.run({ ms: Number(arg), handle: conn.handle }).catch(failed);
          return;
        }
        return data;
      },
      // Jobs still running finish first; their connections are closed by then, so what they
      // write is dropped.
      shutdown: () => void pool.close(),
    },
    addr,
  );
  return server;
}

module.exports = { main };
if (require.main === module) {
  main(process.argv[2]).then((server) => console.log(`listening on ${server.addrs[0]}`));
}
