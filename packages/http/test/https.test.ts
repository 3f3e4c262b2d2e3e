// HTTPS: nevio-http's server over nevio's TLS (ALPN http/1.1), with curl (--cacert, and a client
// certificate), Node's https and fetch (a child Node trusting the test CA) as clients, and the
// nevio-http command's --tls-cert/--tls-key.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { request } from 'node:https';
import path from 'node:path';
import { createServer } from '@nevio/http';
import type { ListeningServer } from '@nevio/http';
import { makePki, type Pki } from '../../core/test/tls-support';
import { curl } from './helpers';

const CLI = path.join(__dirname, '..', 'dist', 'cli.js');
let pki: Pki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki.remove());

const running: ListeningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function https(requestCert = false): Promise<ListeningServer> {
  const server = await createServer((req, res) => {
    if (req.method === 'POST') return req.body().then((body) => res.end(body));
    res.end(`hello ${req.url}`);
  }, {
    tls: { cert: pki.server.cert, key: pki.server.key, alpn: ['http/1.1'], ...(requestCert ? { ca: pki.ca, requestCert: true } : {}) },
  }).listen('tls://127.0.0.1:0');
  running.push(server);
  return server;
}

test('curl --cacert: GET and a 2 MiB POST over HTTPS, ALPN http/1.1', async () => {
  const server = await https();
  const url = `https://localhost:${server.port}`;
  const resolve = ['--resolve', `localhost:${server.port}:127.0.0.1`];
  const got = await curl(['-sS', '-v', '--cacert', pki.caPath, ...resolve, `${url}/a`]);
  expect(got.stdout).toBe('hello /a');
  expect(got.stderr).toMatch(/ALPN: server accepted http\/1\.1|ALPN, server accepted to use http\/1\.1/);
  const body = 'x'.repeat(2 << 20);
  const posted = await new Promise<string>((done, fail) => {
    const child = execFile('curl', ['-sS', '--cacert', pki.caPath, ...resolve, '--data-binary', '@-', `${url}/echo`], { maxBuffer: 8 << 20, env: { ...process.env, LD_PRELOAD: '' } }, (error, stdout) => (error ? fail(error) : done(stdout)));
    child.stdin?.end(body);
  });
  expect(posted.length).toBe(body.length);
  await expect(curl(['-sS', ...resolve, `${url}/`])).rejects.toThrow(/certificate/);
});

test('curl with a client certificate on an mTLS server; without one it is refused', async () => {
  const server = await https(true);
  const resolve = ['--resolve', `localhost:${server.port}:127.0.0.1`];
  const url = `https://localhost:${server.port}/m`;
  const got = await curl(['-sS', '--cacert', pki.caPath, '--cert', pki.client.certPath, '--key', pki.client.keyPath, ...resolve, url]);
  expect(got.stdout).toBe('hello /m');
  await expect(curl(['-sS', '--cacert', pki.caPath, ...resolve, url])).rejects.toThrow();
});

test("Node's https and fetch", async () => {
  const server = await https();
  const body = await new Promise<string>((done, fail) => {
    request({ host: '127.0.0.1', port: server.port, path: '/node', ca: pki.ca, servername: 'localhost' }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => done(text));
    }).on('error', fail).end();
  });
  expect(body).toBe('hello /node');
  // fetch (undici, inside Node) in a child process that trusts the test CA.
  const script = `fetch('https://localhost:${server.port}/fetch').then((r) => r.text()).then((t) => process.stdout.write(t))`;
  const fetched = await new Promise<string>((done, fail) => {
    execFile(process.execPath, ['-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.caPath, LD_PRELOAD: '' } }, (error, stdout, stderr) =>
      error ? fail(new Error(`${error.message} ${stderr}`)) : done(stdout));
  });
  expect(fetched).toBe('hello /fetch');
});

test('nevio-http --tls-cert --tls-key serves HTTPS', async () => {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(__dirname, '..', 'tsconfig.json')], { stdio: 'pipe' });
  const child = spawn(process.execPath, [CLI, '--addr', 'tcp://127.0.0.1:0', '--tls-cert', pki.server.certPath, '--tls-key', pki.server.keyPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const port = await new Promise<number>((done, fail) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(out)), 10_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m !== null) {
          clearTimeout(timer);
          done(Number(m[1]));
        }
      });
    });
    const got = await curl(['-sS', '--cacert', pki.caPath, '--resolve', `localhost:${port}:127.0.0.1`, `https://localhost:${port}/`]);
    expect(got.stdout).toBe('Hello, World!');
  } finally {
    child.kill('SIGTERM');
  }
}, 60_000);
