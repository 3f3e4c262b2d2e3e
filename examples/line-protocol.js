// A line protocol on @nevio/core: lines may arrive split over reads or several to a read, so
// react() frames them with the read cursor and leaves a partial line for the next call.
// Each reply is numbered per connection (conn.context), and a ticker counts all lines.
const { Action, serve } = require('@nevio/core');

let total = 0;

async function main(addr = 'tcp://127.0.0.1:5001') {
  return serve(
    {
      opened(conn) {
        conn.context = { lines: 0 };
      },
      react(conn) {
        for (;;) {
          const end = conn.peek().indexOf('\n');
          if (end < 0) return; // a partial line stays buffered until more arrives
          const line = conn.next(end + 1).toString('utf8', 0, end);
          if (line === 'quit') return { out: 'bye\n', action: Action.Close };
          conn.context.lines++;
          total++;
          conn.write(`${conn.context.lines}: ${line}\n`);
        }
      },
      tick() {
        if (total > 0) console.log(`${total} lines so far`);
        return 1000; // run again in a second
      },
    },
    addr,
  );
}

module.exports = { main };
if (require.main === module) {
  main(process.argv[2]).then((server) => {
    console.log(`listening on ${server.addrs[0]}`);
    process.once('SIGINT', () => server.stop());
  });
}
