import { createSocket } from 'node:dgram';
import { Client, delay, eventually } from './helpers';
import { ask, killServers, loopOf, start, stopServer } from './loops-fixture';

afterEach(killServers);

describe('several event loops', () => {
  test('round-robin alternates exactly, and every loop echoes', async () => {
    const running = await start({ loops: 2, lb: 'round-robin' });
    const clients: Client[] = [];
    const loops: number[] = [];
    for (let i = 0; i < 6; i++) {
      const c = new Client(running.ports[0]);
      clients.push(c);
      loops.push(await loopOf(c));
    }
    expect(loops).toEqual([0, 1, 0, 1, 0, 1]);
    expect(JSON.parse(await ask(clients[0], 'count?'))).toEqual([3, 3]);
    for (const [i, c] of clients.entries()) expect(await ask(c, `echo ${i}`)).toBe(`echo ${i}`);
    clients.forEach((c) => c.end());
    await stopServer(running);
  });

  test('least-connections fills the emptier loop after closes', async () => {
    const running = await start({ loops: 2, lb: 'least-connections' });
    const clients = Array.from({ length: 4 }, () => new Client(running.ports[0]));
    const loops = [];
    for (const c of clients) loops.push(await loopOf(c));
    expect(loops.filter((l) => l === 0)).toHaveLength(2);
    // Close loop 0's connections: the next two must both go to loop 0.
    const onZero = clients.filter((_, i) => loops[i] === 0);
    const onOne = clients.filter((_, i) => loops[i] === 1);
    onZero.forEach((c) => c.end());
    await Promise.all(onZero.map((c) => c.closed));
    let counts: number[] = [];
    for (let i = 0; i < 50; i++) {
      counts = JSON.parse(await ask(onOne[0], 'count?')) as number[];
      if (counts[0] === 0) break;
      await delay(20);
    }
    expect(counts).toEqual([0, 2]);
    const fresh = [new Client(running.ports[0]), new Client(running.ports[0])];
    expect(await loopOf(fresh[0])).toBe(0);
    expect(await loopOf(fresh[1])).toBe(0);
    expect(JSON.parse(await ask(onOne[0], 'count?'))).toEqual([2, 2]);
    [...onOne, ...fresh].forEach((c) => c.end());
    await stopServer(running);
  });

  test('source-addr-hash keeps each client address on one loop', async () => {
    const running = await start({ loops: 2, lb: 'source-addr-hash' });
    const byAddress = new Map<string, Set<number>>();
    const clients: Client[] = [];
    for (let host = 1; host <= 8; host++) {
      for (let k = 0; k < 3; k++) {
        const c = new Client(running.ports[0], '127.0.0.1', `127.0.0.${host}`);
        clients.push(c);
        const set = byAddress.get(`127.0.0.${host}`) ?? new Set<number>();
        set.add(await loopOf(c));
        byAddress.set(`127.0.0.${host}`, set);
      }
    }
    for (const loops of byAddress.values()) expect(loops.size).toBe(1);
    const used = new Set([...byAddress.values()].map((s) => [...s][0]));
    expect(used).toEqual(new Set([0, 1]));
    clients.forEach((c) => c.end());
    await stopServer(running);
  });

  test('random uses every loop', async () => {
    const running = await start({ loops: 2, lb: 'random' });
    const clients = Array.from({ length: 40 }, () => new Client(running.ports[0]));
    const loops = new Set<number>();
    for (const c of clients) loops.add(await loopOf(c));
    expect(loops).toEqual(new Set([0, 1]));
    clients.forEach((c) => c.end());
    await stopServer(running);
  });

  test('reusePort: every loop has its own listener and serves', async () => {
    const running = await start({ loops: 2, reusePort: true });
    const clients = Array.from({ length: 30 }, () => new Client(running.ports[0]));
    const loops: number[] = [];
    for (const c of clients) loops.push(await loopOf(c));
    expect(loops).toHaveLength(30);
    expect(new Set(loops)).toEqual(new Set([0, 1]));
    for (const [i, c] of clients.entries()) expect(await ask(c, `n${i}`)).toBe(`n${i}`);
    clients.forEach((c) => c.end());
    await stopServer(running);
  });

  test('UDP is served by one loop without reusePort', async () => {
    const running = await start({ loops: 2 });
    const udp = createSocket('udp4');
    const answers: string[] = [];
    udp.on('message', (m) => answers.push(m.toString()));
    for (let i = 0; i < 5; i++) udp.send('loop?', running.ports[1], '127.0.0.1');
    await eventually(() => answers.length === 5);
    expect(new Set(answers)).toEqual(new Set(['loop:0']));
    udp.close();
    await stopServer(running);
  });

  test('stop() with connections on every loop writes all pending output first', async () => {
    const running = await start({ loops: 2 });
    const clients = Array.from({ length: 4 }, () => new Client(running.ports[0]));
    const loops = [];
    for (const c of clients) loops.push(await loopOf(c));
    expect(new Set(loops)).toEqual(new Set([0, 1]));
    const before = clients.map((c) => c.received.length);
    clients.forEach((c) => c.socket.pause());
    clients.forEach((c) => c.write('big'));
    await delay(200);
    const stopper = new Client(running.ports[0]);
    stopper.write('shutdown');
    await delay(100);
    clients.forEach((c) => c.socket.resume());
    await Promise.all(clients.map((c) => c.closed));
    clients.forEach((c, i) => expect(c.received.length - before[i]).toBe(4 * 1024 * 1024));
    expect(await running.exited).toBe(0);
  });

  test('another thread writes to a connection through its handle', async () => {
    const running = await start({ loops: 2 });
    const clients = [new Client(running.ports[0]), new Client(running.ports[0])];
    expect(new Set([await loopOf(clients[0]), await loopOf(clients[1])])).toEqual(new Set([0, 1]));
    for (const c of clients) expect(await ask(c, 'later')).toBe('from another thread');
    clients.forEach((c) => c.end());
    await stopServer(running);
  });

  test('a loop that dies is reported and the other loops carry on', async () => {
    const running = await start({ loops: 2, lb: 'round-robin' });
    const first = [new Client(running.ports[0]), new Client(running.ports[0])];
    const loops = [await loopOf(first[0]), await loopOf(first[1])];
    first[loops.indexOf(1)].write('crash');
    await first[loops.indexOf(1)].closed;
    await eventually(() => running.errors().includes('event loop 1 failed: loop 1 crashed'), 10_000);
    // Connections that would have gone to the dead loop are served by loop 0.
    const after = Array.from({ length: 4 }, () => new Client(running.ports[0]));
    for (const c of after) expect(await loopOf(c)).toBe(0);
    for (const c of after) expect(await ask(c, 'still echoing')).toBe('still echoing');
    expect(running.child.exitCode).toBeNull();
    [...first, ...after].forEach((c) => c.end());
    await stopServer(running);
  });

  test('exitOnLoopError makes a dead loop end the process with code 1', async () => {
    const running = await start({ loops: 2, lb: 'round-robin', exitOnLoopError: true });
    const clients = [new Client(running.ports[0]), new Client(running.ports[0])];
    const loops = [await loopOf(clients[0]), await loopOf(clients[1])];
    clients[loops.indexOf(1)].write('crash');
    expect(await running.exited).toBe(1);
  });
});
