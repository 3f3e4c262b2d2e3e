import { constants, postWrite, Reactor } from '..';

// Every native method checks its arguments: a wrong type is a TypeError and a number out of
// range a RangeError, naming the method and the argument, never a crash or garbage. (The errors
// come from the main realm, not jest's sandbox, so they are matched by name, not instanceof.)
describe('argument checks', () => {
  let reactor: Reactor;
  beforeEach(() => {
    reactor = new Reactor(() => 0);
  });
  afterEach(() => reactor.destroy());

  const call = (f: () => unknown): unknown => {
    try {
      f();
    } catch (error) {
      return error;
    }
    return undefined;
  };

  test('the constructor wants a function and well-typed options', () => {
    expect(call(() => new Reactor('x' as never))).toEqual(new TypeError('new Reactor: onBatch must be a function (got string)'));
    expect(call(() => new Reactor(() => 0, 5 as never))).toEqual(new TypeError('new Reactor: options must be an object (got number)'));
    expect(call(() => new Reactor(() => 0, { readChunk: '64k' as never }))).toEqual(
      new TypeError('new Reactor: readChunk must be a non-negative integer'),
    );
    expect(call(() => new Reactor(() => 0, { maxInbound: -1 }))).toHaveProperty('name', 'TypeError');
    expect(call(() => new Reactor(() => 0, { noDelay: 1 as never }))).toEqual(new TypeError('new Reactor: noDelay must be a boolean'));
    expect(call(() => new Reactor(() => 0, { readChunk: constants.maxReadChunk + 1 }))).toHaveProperty('name', 'RangeError');
    expect(call(() => new Reactor(() => 0, { writeHighWatermark: 10, writeLowWatermark: 20 }))).toHaveProperty('name', 'RangeError');
  });

  test('connection methods want an int32 id and typed data', () => {
    expect(call(() => reactor.write('1' as never, Buffer.from('x')))).toEqual(
      new TypeError('Reactor.write: id must be an integer (got string)'),
    );
    expect(call(() => reactor.write(1, 'x' as never))).toEqual(new TypeError('Reactor.write: data must be a Uint8Array (got string)'));
    expect(call(() => reactor.write(1, new Uint16Array(2) as never))).toHaveProperty('name', 'TypeError');
    expect(call(() => reactor.close(2 ** 40))).toHaveProperty('name', 'RangeError');
    expect(call(() => reactor.setReading(1, 'yes' as never))).toHaveProperty('name', 'TypeError');
    expect(call(() => reactor.inbound(1.5))).toHaveProperty('name', 'RangeError');
    // Well-typed calls on a connection that does not exist are answered, not thrown.
    expect(reactor.write(1, Buffer.from('x'))).toBe(-1);
    expect(reactor.close(1)).toBe(false);
  });

  test('listen, flush, setBalancer and sendTo check theirs', () => {
    expect(call(() => reactor.listen('sctp' as never, '127.0.0.1', 0, 4, '', 511, true, false))).toEqual(
      new TypeError('Reactor.listen: transport must be tcp, udp or unix (got sctp)'),
    );
    expect(call(() => reactor.listen('tcp', '127.0.0.1', 70000, 4, '', 511, true, false))).toHaveProperty('name', 'RangeError');
    expect(call(() => reactor.listen('tcp', '127.0.0.1', 0, 5 as never, '', 511, true, false))).toHaveProperty('name', 'RangeError');
    expect(call(() => reactor.flush(reactor.ops.length))).toHaveProperty('name', 'RangeError');
    expect(call(() => reactor.setBalancer([1], 9 as never))).toHaveProperty('name', 'RangeError');
    expect(call(() => reactor.setBalancer('1' as never, 0))).toHaveProperty('name', 'TypeError');
    expect(call(() => reactor.sendTo(0, Buffer.alloc(4), Buffer.from('x')))).toHaveProperty('name', 'RangeError');
    expect(call(() => reactor.datagramSender(0))).toHaveProperty('name', 'RangeError');
  });

  test('the cross-thread functions check theirs', () => {
    expect(call(() => postWrite(reactor.registryId(), 1, 'x' as never))).toEqual(
      new TypeError('postWrite: data must be a Uint8Array (got string)'),
    );
    expect(call(() => postWrite(undefined as never, 1, Buffer.from('x')))).toEqual(
      new TypeError('postWrite: reactorId must be an integer (got undefined)'),
    );
  });
});
