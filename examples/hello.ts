import { Action, serve } from '@nevio/core';

export async function main(addrs = ['tcp://127.0.0.1:5000', 'unix:///tmp/echo.sock']) {
  const server = await serve(
    {
      opened: (conn) => `hello ${conn.remoteAddr}\n`,
      react: (conn, data) => {
        if (data.toString().trim() === 'quit') return { out: 'bye\n', action: Action.Close };
        return data; // echoed back after the batch
      },
      closed: (conn, err) => console.log(`closed ${conn.id}`, err?.message ?? ''),
    },
    addrs,
  );
  console.log('listening on', server.addrs.join(', '));
  process.once('SIGINT', () => server.stop());
  return server;
}
