// Addresses as serve() and the commands take them: bare ports, evio's query options, and the
// errors for everything else. The options are checked on real sockets: `ss` shows a listener's
// backlog (Send-Q) and how many listeners a port has; the kernel refuses a second bind without
// SO_REUSEPORT, and a bind over a TIME_WAIT connection without SO_REUSEADDR.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Action, AddressError, parseAddress, serve, type Server } from '../src';
import { Client, eventually } from './helpers';

const echo = { react: (_c: unknown, data: Buffer) => data };

/**
 * Runs `ss`. Under the sanitizer test run LD_PRELOAD names the AddressSanitizer runtime (for Node,
 * which is not instrumented); ss would load it too and LeakSanitizer would report ss's own leaks.
 */
function ss(args: string[]): string {
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  return execFileSync('ss', args, { env }).toString();
}

/** The listening TCP sockets on `port`, as `ss` reports them: one `[recvQ, sendQ]` per listener. */
function listeners(port: number): Array<[number, number]> {
  const out = ss(['-Hltn', `sport = :${port}`]);
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [, recvQ, sendQ] = line.trim().split(/\s+/);
      return [Number(recvQ), Number(sendQ)];
    });
}

async function echoes(port: number): Promise<string> {
  const c = new Client(port);
  c.write('ping');
  const got = (await c.waitFor(4)).toString();
  c.end();
  return got;
}

describe('parseAddress', () => {
  test.each([
    [8080, { network: 'tcp', host: '127.0.0.1', port: 8080, options: {} }],
    ['8080', { network: 'tcp', host: '127.0.0.1', port: 8080, options: {} }],
    ['0', { network: 'tcp', host: '127.0.0.1', port: 0 }],
    [':8080', { network: 'tcp', host: '', port: 8080 }],
    ['tcp://:8080', { network: 'tcp', host: '', port: 8080 }],
    ['tcp://0.0.0.0:8080', { network: 'tcp', host: '0.0.0.0', port: 8080 }],
    ['tcp://127.0.0.1:5000?reuseport=true', { host: '127.0.0.1', port: 5000, options: { reusePort: true } }],
    ['tcp://127.0.0.1:5000?reuseport=FALSE', { options: { reusePort: false } }],
    ['tcp6://[::1]:5000?reuseport=1&backlog=64', { network: 'tcp6', host: '::1', options: { reusePort: true, backlog: 64 } }],
    ['udp://127.0.0.1:0?reuseaddr=no', { network: 'udp', options: { reuseAddr: false } }],
    ['unix:///tmp/x.sock?backlog=8', { network: 'unix', path: '/tmp/x.sock', options: { backlog: 8 } }],
    ['5000?reuseport=yes', { host: '127.0.0.1', port: 5000, options: { reusePort: true } }],
  ])('%p', (input, expected) => {
    expect(parseAddress(input)).toMatchObject(expected);
  });

  test.each([
    ['tcp://127.0.0.1:5000?reuse=true', /unknown option 'reuse' \(known: reuseport, reuseaddr, backlog, proxyprotocol, tls\): tcp:\/\/127.0.0.1:5000\?reuse=true$/],
    ['tcp://127.0.0.1:5000?nodelay=1', /unknown option 'nodelay'/],
    ['tcp://127.0.0.1:5000?reuseport=maybe', /option 'reuseport' takes true or false, not 'maybe'/],
    ['tcp://127.0.0.1:5000?reuseport', /option 'reuseport' needs a value/],
    ['tcp://127.0.0.1:5000?reuseport=1&reuseport=0', /option 'reuseport' is given twice/],
    ['tcp://127.0.0.1:5000?backlog=0', /option 'backlog' takes a positive integer, not '0'/],
    ['tcp://127.0.0.1:5000?backlog=-1', /option 'backlog' takes a positive integer/],
    ['tcp://127.0.0.1:5000?', /unknown option ''/],
    ['tcp://8080', /missing port \(write tcp:\/\/host:port, or a bare port for 127.0.0.1\)/],
    ['localhost', /missing port/],
    ['99999', /invalid port '99999'/],
    [65536, /a port is an integer from 0 to 65535: 65536/],
    [-1, /a port is an integer from 0 to 65535/],
    [80.5, /a port is an integer from 0 to 65535/],
    ['', /empty address/],
  ])('%p is an AddressError', (input, message) => {
    let error: unknown;
    try {
      parseAddress(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AddressError);
    expect(error).toMatchObject({ code: 'ERR_NEVIO_ADDRESS', message: expect.stringMatching(message) });
  });
});

describe('serve', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  const start = async (addr: Parameters<typeof serve>[1]): Promise<Server> => {
    const server = await serve(echo, addr);
    servers.push(server);
    return server;
  };

  test.each([[0], ['0'], [[0, 'tcp://127.0.0.1:0']]])('a bare port %p listens on 127.0.0.1 only', async (addr) => {
    const server = await start(addr);
    expect(server.addrs[0].toString()).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(await echoes(server.addrs[0].port)).toBe('ping');
  });

  test('an empty host is every interface', async () => {
    const server = await start('tcp://:0');
    expect(['0.0.0.0', '::']).toContain(server.addrs[0].address);
  });

  test('?reuseport=true: a second listener may bind the port; without it on both, the kernel refuses', async () => {
    const first = await start('tcp://127.0.0.1:0?reuseport=true');
    const port = first.addrs[0].port;
    await start(`tcp://127.0.0.1:${port}?reuseport=true`);
    expect(listeners(port)).toHaveLength(2);
    await expect(serve(echo, `tcp://127.0.0.1:${port}`)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    // The serve option is the default the query overrides.
    await expect(serve(echo, `tcp://127.0.0.1:${port}?reuseport=false`, { reusePort: true })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    servers.push(await serve(echo, `tcp://127.0.0.1:${port}`, { reusePort: true }));
    expect(listeners(port)).toHaveLength(3);
    expect(await echoes(port)).toBe('ping');
  });

  test('?backlog=N is the listener backlog, over the serve option', async () => {
    const server = await serve(echo, ['tcp://127.0.0.1:0?backlog=7', 'tcp://127.0.0.1:0'], { backlog: 33 });
    servers.push(server);
    expect(listeners(server.addrs[0].port)).toEqual([[0, 7]]);
    expect(listeners(server.addrs[1].port)).toEqual([[0, 33]]);
  });

  test('?reuseaddr=false cannot bind over a connection in TIME_WAIT; the default can', async () => {
    // The server closes first, so the TIME_WAIT connection is on its port.
    const first = await serve({ opened: () => ({ out: 'bye', action: Action.Close }) }, 'tcp://127.0.0.1:0');
    const port = first.addrs[0].port;
    const c = new Client(port);
    await c.closed;
    await first.stop();
    await eventually(() => ss(['-Htn', 'state', 'time-wait', `sport = :${port}`]).trim() !== '');
    await expect(serve(echo, `tcp://127.0.0.1:${port}?reuseaddr=false`)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const again = await start(`tcp://127.0.0.1:${port}`);
    expect(await echoes(again.addrs[0].port)).toBe('ping');
  });
});

test.each([
  ['tcp://127.0.0.1:0?reuseport=true', 2],
  ['tcp://127.0.0.1:0', 1],
])('two loops on %s: %d listener(s) (with reuseport each loop opens its own, Linux)', async (addr, count) => {
  const child = spawn(process.execPath, [join(__dirname, 'fixtures', 'loops-server.js'), JSON.stringify({ loops: 2, addrs: [addr] })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    await eventually(() => out.includes('\n'), 60_000);
    const port = (JSON.parse(out.split('\n')[0]) as { ports: number[] }).ports[0];
    expect(await echoes(port)).toBe('ping');
    await eventually(() => listeners(port).length >= count, 10_000);
    expect(listeners(port)).toHaveLength(count);
  } finally {
    child.kill('SIGKILL');
  }
});
