const { serve } = require('@nevio/core');

// Run as the main module: worker-thread loops load this file again and join at `serve`.
serve(
  { react: (conn, data) => data },
  process.env.ADDR ?? 'tcp://127.0.0.1:5000',
  { numEventLoop: 2, lb: 'least-connections' }, // or { multicore: true }: one loop per core
).then((server) => {
  if (server.loopIndex !== 0) return; // code after serve runs in every loop
  console.log(`echo on ${server.addrs[0]} with ${server.loops} loops`);
  process.once('SIGINT', () => server.stop());
});
