// nevio-http as a static server, in its own process: the positional root, -p, --autoindex, the
// access log (read from its stdout) and --proxy-protocol.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, exitOf, type Running, startCli } from './cli-process';
import { curl, open, readToEnd, sleep } from './helpers';

const PACKAGE = path.join(__dirname, '..');

// nginx's combined format, then the seconds the request took.
const COMBINED = /^(\S+) - - \[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\] "([^"]*)" (\d{3}) (\d+) "([^"]*)" "([^"]*)" (\d+\.\d{3})$/;

/** The access-log lines printed so far, waiting (up to 5 s) until there are `count`. */
async function logLines(server: Running, count: number): Promise<string[]> {
  const lines = (): string[] => server.output().split('\n').filter((line) => COMBINED.test(line));
  for (let waited = 0; lines().length < count && waited < 5000; waited += 20) await sleep(20);
  return lines();
}

/** The access-log line of the request `requestLine` (e.g. `GET /a.txt HTTP/1.1`), parsed, waiting for it. */
async function logLine(server: Running, requestLine: string): Promise<RegExpExecArray> {
  const find = (): string | undefined => server.output().split('\n').find((line) => line.includes(` "${requestLine}" `) && COMBINED.test(line));
  for (let waited = 0; find() === undefined && waited < 5000; waited += 20) await sleep(20);
  const line = find();
  if (line === undefined) throw new Error(`no log line for ${requestLine} in: ${server.output()}`);
  return COMBINED.exec(line)!;
}

describe('nevio-http DIR (static server)', () => {
  let dir: string;
  let server: Running;

  beforeAll(async () => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(PACKAGE, 'tsconfig.json')], { stdio: 'pipe' });
    dir = mkdtempSync(path.join(os.tmpdir(), 'nevio-cli-static-'));
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'a.txt'), 'file a');
    writeFileSync(path.join(dir, 'sub', 'b.txt'), 'file b');
    writeFileSync(path.join(dir, 'big.txt'), 'compressible text\n'.repeat(1000));
    // The root after the options and `--`: a positional anywhere.
    server = await startCli(['--log', '-p', '0', '--autoindex', '--', dir]);
  }, 60_000);
  afterAll(async () => {
    const exited = exitOf(server.child);
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  test('-p 0 listens on 127.0.0.1 and the banner names the root', () => {
    expect(server.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.output()).toContain(`serving ${dir}`);
  });

  test('serves files, lists directories (--autoindex), redirects to the trailing slash', async () => {
    expect(await (await fetch(`${server.base}/a.txt`)).text()).toBe('file a');
    expect(await (await fetch(`${server.base}/sub/`)).text()).toContain('<a href="./b.txt">b.txt</a>');
    const redirect = await fetch(`${server.base}/sub?q=1`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/sub/?q=1');
  });

  test('--log: one combined-format line per response, with referer, agent, size and duration', async () => {
    await curl(['-s', '-o', '/dev/null', '-A', 'nevio-test/1.0', '-e', 'http://ref.example/page', `${server.base}/a.txt?x=1`]);
    await curl(['-s', '-o', '/dev/null', '-I', `${server.base}/a.txt`]);
    await curl(['-s', '-o', '/dev/null', '-A', 'say "hi"\\', `${server.base}/missing`]);
    const compressed = await curl(['-s', '-o', '/dev/null', '--compressed', '-w', '%{size_download}', `${server.base}/big.txt`]);
    const get = await logLine(server, 'GET /a.txt?x=1 HTTP/1.1');
    const head = await logLine(server, 'HEAD /a.txt HTTP/1.1');
    const missing = await logLine(server, 'GET /missing HTTP/1.1');
    const big = await logLine(server, 'GET /big.txt HTTP/1.1');
    expect(get[1]).toBe('127.0.0.1');
    expect(get.slice(9, 14)).toEqual(['GET /a.txt?x=1 HTTP/1.1', '200', '6', 'http://ref.example/page', 'nevio-test/1.0']);
    // The time is now, in the log's own format.
    const logged = Date.UTC(Number(get[4]), ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(get[3]), Number(get[2]), Number(get[5]), Number(get[6]), Number(get[7]));
    const offset = (Number(get[8].slice(1, 3)) * 60 + Number(get[8].slice(3))) * (get[8][0] === '-' ? -1 : 1);
    expect(Math.abs(logged - offset * 60_000 - Date.now())).toBeLessThan(60_000);
    expect(Number(get[14])).toBeLessThan(5);
    // HEAD sends no body bytes; a quote and a backslash are escaped as nginx escapes them.
    expect(head.slice(9, 12)).toEqual(['HEAD /a.txt HTTP/1.1', '200', '0']);
    expect(missing.slice(9, 14)).toEqual(['GET /missing HTTP/1.1', '404', '10', '-', 'say \\x22hi\\x22\\x5C']);
    // The size is of the body as sent: compressed.
    expect(big[11]).toBe(compressed.stdout);
    expect(Number(compressed.stdout)).toBeLessThan(18_000);
  });

  test('--proxy-protocol: the client a PROXY v1 or v2 header names is the logged address', async () => {
    // Loopback is trusted by default, and a trusted peer must send the header: a server of its own.
    const proxied = await startCli([dir, '--log', '--proxy-protocol', '--port', '0']);
    try {
      await proxiedRequests(proxied);
    } finally {
      const exited = exitOf(proxied.child);
      proxied.child.kill('SIGTERM');
      await exited;
    }
  }, 20_000);
});

async function proxiedRequests(proxied: Running): Promise<void> {
  const port = Number(new URL(proxied.base).port);
  const v1 = await open(port);
  const v1Reply = readToEnd(v1);
  v1.write('PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(await v1Reply).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nfile a$/);
  const v2 = await open(port);
  const v2Reply = readToEnd(v2);
  const header = Buffer.concat([
    Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]),
    // Version 2, PROXY; TCP over IPv4; 12 address bytes.
    Buffer.from([0x21, 0x11, 0x00, 0x0c]),
    Buffer.from([198, 51, 100, 9, 127, 0, 0, 1, 0x9c, 0x41, 0x00, 0x50]),
  ]);
  v2.write(Buffer.concat([header, Buffer.from('GET /sub/b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
  expect(await v2Reply).toMatch(/\r\n\r\nfile b$/);
  const lines = await logLines(proxied, 2);
  expect(lines.map((line) => COMBINED.exec(line)![1]).sort()).toEqual(['198.51.100.9', '203.0.113.7']);
  // A trusted peer whose connection does not start with a header is cut off unanswered.
  const plain = await open(port);
  const plainReply = readToEnd(plain);
  plain.write('GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n');
  expect(await plainReply).toBe('');
}

describe('nevio-http --proxy-trusted', () => {
  async function withServer(args: string[], body: (port: number) => Promise<void>): Promise<void> {
    const server = await startCli(['-p', '0', '--proxy-protocol', ...args]);
    try {
      await body(Number(new URL(server.base).port));
    } finally {
      const exited = exitOf(server.child);
      server.child.kill('SIGTERM');
      await exited;
    }
  }
  const request = 'PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

  test('a network that does not hold loopback: the header from 127.0.0.1 is not believed, 400', async () => {
    await withServer(['--proxy-trusted', '10.0.0.0/8', '--proxy-trusted', 'unix'], async (port) => {
      const socket = await open(port);
      const reply = readToEnd(socket);
      socket.write(request);
      expect(await reply).toMatch(/^HTTP\/1\.1 400 /);
    });
  }, 20_000);

  test('an address that names the peer: its header is read', async () => {
    await withServer(['--proxy-trusted', '127.0.0.1'], async (port) => {
      const socket = await open(port);
      const reply = readToEnd(socket);
      socket.write(request);
      expect(await reply).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Hello, World!$/);
    });
  }, 20_000);

  test('a value that is no address or network fails the start, naming it; without --proxy-protocol it is a usage error', () => {
    const bad = spawnSync(process.execPath, [CLI, '-p', '0', '--proxy-protocol', '--proxy-trusted', '10.0.0.0/33'], { encoding: 'utf8', timeout: 10_000 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("'10.0.0.0/33' is not an IP address, a CIDR network or 'unix'");
    const alone = spawnSync(process.execPath, [CLI, '-p', '0', '--proxy-trusted', '127.0.0.1'], { encoding: 'utf8', timeout: 10_000 });
    expect(alone.status).toBe(2);
    expect(alone.stderr).toContain('--proxy-trusted needs --proxy-protocol');
  });
});

describe('nevio-http without --proxy-protocol', () => {
  test('a PROXY header is not read: the request line is malformed, 400', async () => {
    const server = await startCli(['-p', '0']);
    try {
      const socket = await open(Number(new URL(server.base).port));
      const reply = readToEnd(socket);
      socket.write('PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await reply).toMatch(/^HTTP\/1\.1 400 /);
    } finally {
      const exited = exitOf(server.child);
      server.child.kill('SIGTERM');
      await exited;
    }
  }, 20_000);
});
