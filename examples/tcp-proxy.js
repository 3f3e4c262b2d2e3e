// An L4 (TCP) proxy on nevio: each client connection gets its own connection to the backend,
// dialed on the same event loop. Bytes flow both ways with backpressure (a side whose peer's
// output backs up above the high watermark is paused until that output drains), and a FIN is
// passed on (half-close), so request/response protocols that end their request with a FIN work.
//
//   LISTEN=tcp://127.0.0.1:7000 BACKEND=tcp://127.0.0.1:6379 node examples/tcp-proxy.js
const { defaults, dial, serve } = require('@nevio/core');

/**
 * Starts a proxy from `listen` to `backend`; resolves with the nevio server.
 * `options` are serve()'s (half-open mode is always on: a proxy must pass each FIN on).
 */
function startProxy(listen, backend, options = {}) {
  const high = options.writeHighWatermark ?? defaults.writeHighWatermark;

  // Sends `data` from one side to the other; pauses the reading side if the other backs up.
  function forward(from, to, data) {
    if (!to.write(data)) return from.close();
    if (to.outboundBuffered > high) from.pause(); // resumed by `to`'s drained event
  }

  // One direction finished: pass the FIN on; once both did, close both.
  function finish(pair, side) {
    pair[side] = true;
    if (pair.clientEnded && pair.backendEnded) {
      pair.client.close();
      pair.backend?.close();
    }
  }

  return serve(
    {
      opened(client) {
        const pair = { client, backend: undefined, clientEnded: false, backendEnded: false };
        client.context = pair;
        client.pause(); // nothing is read until the backend is there
        dial(backend, {
          react: (up, data) => forward(up, client, data),
          drained: () => client.resume(),
          end(up) {
            client.closeWrite();
            finish(pair, 'backendEnded');
          },
          closed: () => client.close(),
        }).then(
          (up) => {
            pair.backend = up;
            if (client.closed) return up.close();
            client.resume();
            client.wake(); // bytes a react held back (below) go out now
          },
          () => client.close(), // refused, timed out: the client sees its connection close
        );
      },
      react(client, data) {
        const up = client.context.backend;
        if (up === undefined) return void client.peek(); // keep it all until the backend is there
        forward(client, up, data);
      },
      drained: (client) => client.context.backend?.resume(),
      end(client) {
        client.context.backend?.closeWrite();
        finish(client.context, 'clientEnded');
      },
      closed: (client) => client.context.backend?.close(),
    },
    listen,
    { ...options, allowHalfOpen: true },
  );
}

module.exports = { startProxy };

if (require.main === module) {
  const listen = process.env.LISTEN ?? 'tcp://127.0.0.1:7000';
  const backend = process.env.BACKEND ?? 'tcp://127.0.0.1:6379';
  startProxy(listen, backend).then((server) => {
    console.log(`proxy listening on ${server.addrs.join(', ')}, forwarding to ${backend}`);
    process.once('SIGINT', () => server.stop());
  });
}
