// `nevio-echo --addr tls://... --tls-cert F --tls-key F` as users run it, with `openssl s_client`
// as the client, and the certificate reloaded on SIGHUP.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { makePki, type Pki } from '../../core/test/tls-support';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
let pki: Pki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki.remove());

function output(child: ChildProcess, pattern: RegExp, ms = 10_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms: ${text}`)), ms);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match !== null) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
}

function subject(port: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerCertificate().subject.O);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

test('nevio-echo serves tls:// to openssl s_client, and reloads its certificate on SIGHUP', async () => {
  // The files the server reads: replaced in place before the SIGHUP, as certbot does.
  const cert = join(pki.dir, 'live.crt');
  const key = join(pki.dir, 'live.key');
  copyFileSync(pki.server.certPath, cert);
  copyFileSync(pki.server.keyPath, key);
  const echo = spawn(process.execPath, [CLI, '--addr', 'tls://127.0.0.1:0', '--tls-cert', cert, '--tls-key', key], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const port = Number((await output(echo, /listening on tcp:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caPath, '-servername', 'localhost', '-brief'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const answered = output(client, /Protocol version: TLSv1\.3[\s\S]*Verification: OK[\s\S]*hello over tls/);
    client.stdin?.write('hello over tls\n');
    await answered;
    client.kill();
    expect(await subject(port)).toBeUndefined();
    copyFileSync(pki.renewed.certPath, cert);
    copyFileSync(pki.renewed.keyPath, key);
    echo.kill('SIGHUP');
    await output(echo, /TLS certificate reloaded/);
    expect(await subject(port)).toBe('renewed');
  } finally {
    echo.kill('SIGTERM');
  }
});

test('nevio-echo refuses a tls:// address without a certificate', async () => {
  const echo = spawn(process.execPath, [CLI, '--addr', 'tls://127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await output(echo, /needs options\.tls/);
  const code = await new Promise((resolve) => echo.once('exit', resolve));
  expect(code).toBe(1);
});
