const { Action, serve } = require('@nevio/core');

serve(
  {
    opened: (conn) => `hello ${conn.remoteAddr}\n`,
    react: (conn, data) => {
      if (data.toString().trim() === 'quit') return { out: 'bye\n', action: Action.Close };
      return data; // echoed back after the batch
    },
    closed: (conn, err) => console.log(`closed ${conn.id}`, err?.message ?? ''),
  },
  (process.env.ADDRS ?? 'tcp://127.0.0.1:5000,unix:///tmp/echo.sock').split(','),
  { multicore: false }, // true: one event loop per core, same handlers
).then((server) => {
  console.log('listening on', server.addrs.join(', '));
  process.once('SIGINT', () => server.stop());
});
