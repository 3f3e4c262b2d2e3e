// nevio-redis with Redis's TLS settings: redis-cli --tls and ioredis with tls as clients,
// client certificates (tls-auth-clients), and CONFIG SET tls-cert-file reloading the certificate.
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import Redis from 'ioredis';
import { makePki, type Pki } from '../../core/test/tls-support';
import { startCli, type Child } from './support/process';

let pki: Pki;
let child: Child;
let tlsPort: number;
let plainPort: number;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function redisCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(tlsPort), ...args], { env: { ...process.env, LD_PRELOAD: '' } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message} ${stderr}`)) : resolve(stdout.trim() || stderr.trim()));
  });
}

const CLIENT_TLS = () => ['--tls', '--cacert', pki.caPath, '--cert', pki.client.certPath, '--key', pki.client.keyPath, '--sni', 'localhost'];

beforeAll(async () => {
  pki = makePki();
  tlsPort = await freePort();
  plainPort = await freePort();
  child = await startCli([
    '--port', String(plainPort), '--bind', '127.0.0.1', '--save', '', '--tls-port', String(tlsPort),
    '--tls-cert-file', pki.server.certPath, '--tls-key-file', pki.server.keyPath, '--tls-ca-cert-file', pki.caPath,
  ]);
}, 30_000);
afterAll(async () => {
  child.proc.kill('SIGTERM');
  await child.exited;
  pki.remove();
});

test('redis-cli --tls with a client certificate; the plain port serves too', async () => {
  expect(await redisCli([...CLIENT_TLS(), 'SET', 'k', 'over tls'])).toBe('OK');
  expect(await redisCli([...CLIENT_TLS(), 'GET', 'k'])).toBe('over tls');
  const plain = await new Promise<string>((resolve, reject) => {
    execFile('redis-cli', ['-p', String(plainPort), 'GET', 'k'], { env: { ...process.env, LD_PRELOAD: '' } }, (e, out) => (e ? reject(e) : resolve(out.trim())));
  });
  expect(plain).toBe('over tls');
});

test('tls-auth-clients yes: a client without a certificate is refused', async () => {
  await expect(redisCli(['--tls', '--cacert', pki.caPath, '--sni', 'localhost', 'PING'])).rejects.toThrow();
});

test('ioredis with tls: commands, a pipeline of 1000 and a 4 MiB value', async () => {
  const redis = new Redis({ host: '127.0.0.1', port: tlsPort, tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key, servername: 'localhost' }, lazyConnect: true });
  await redis.connect();
  try {
    const pipeline = redis.pipeline();
    for (let i = 0; i < 1000; i++) pipeline.incr('counter');
    const results = await pipeline.exec();
    expect(results?.[999]).toEqual([null, 1000]);
    const big = 'v'.repeat(4 << 20);
    await redis.set('big', big);
    expect(await redis.get('big')).toBe(big);
  } finally {
    redis.disconnect();
  }
});

test('CONFIG SET tls-cert-file / tls-key-file load the new certificate for new connections', async () => {
  const organization = (): Promise<string | undefined> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: tlsPort, ca: pki.ca, cert: pki.client.cert, key: pki.client.key, servername: 'localhost' }, () => {
        resolve(socket.getPeerCertificate().subject.O);
        socket.destroy();
      });
      socket.once('error', reject);
    });
  expect(await organization()).toBeUndefined();
  expect(await redisCli([...CLIENT_TLS(), 'CONFIG', 'SET', 'tls-cert-file', pki.renewed.certPath, 'tls-key-file', pki.renewed.keyPath])).toBe('OK');
  let seen: string | undefined;
  for (let i = 0; i < 50 && seen !== 'renewed'; i++) {
    seen = await organization();
    if (seen !== 'renewed') await new Promise((r) => setTimeout(r, 50));
  }
  expect(seen).toBe('renewed');
});
