// The reactor underneath @nevio/core, driven directly: one batch call per round of events.
// Applications use @nevio/core; this shows the batch protocol (layouts in src/protocol.h).
const { constants, Reactor } = require('@nevio/native');

const OPEN = constants.record.open;
const DATA = constants.record.data;
const OP_WRITE = constants.op.write;

function main(onRecord = (record) => console.log('record', record)) {
  const reactor = new Reactor((count) => {
    let ops = 0;
    let staged = 0;
    for (let i = 0; i < count; i++) {
      const [kind, id, a, b] = reactor.records.subarray(i * 4, i * 4 + 4);
      onRecord({ kind, id, a, b });
      if (kind === DATA) {
        // Echo: copy the bytes into the stage buffer and describe the write as an op.
        reactor.readBuffer.copy(reactor.stage, staged, a, a + b);
        reactor.ops.set([OP_WRITE, id, staged, b], ops * 4);
        staged += b;
        ops++;
      }
    }
    return ops;
  });
  const listener = reactor.listen('tcp', '127.0.0.1', 0, 4, '', 511, true, false);
  reactor.start();
  return { reactor, port: reactor.listenerAddress(listener)[2] };
}

module.exports = { main, OPEN, DATA };
if (require.main === module) {
  const { reactor, port } = main();
  console.log(`echo on 127.0.0.1:${port}`);
  process.once('SIGINT', () => reactor.destroy());
}
