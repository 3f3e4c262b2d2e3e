// examples/tls-echo.js as a user runs it: its own process, certificate files made at test time,
// Node's tls as the client; SIGHUP makes it serve the renewed certificate to new connections.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { makePki, type Pki } from '../../packages/core/test/tls-support';

let pki: Pki;
let child: ChildProcess | undefined;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => {
  child?.kill('SIGKILL');
  pki.remove();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Connects, reads the greeting line, echoes `text`; returns both and the certificate's subject. */
function session(port: number, text: string): Promise<{ greeting: string; echoed: string; organization: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ port, host: '127.0.0.1', ca: pki.ca, servername: 'localhost', ALPNProtocols: ['echo'] }, () => socket.write(text));
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      const newline = got.indexOf('\n');
      if (newline >= 0 && got.length >= newline + 1 + text.length) {
        const organization = socket.getPeerCertificate().subject.O;
        socket.end();
        resolve({ greeting: got.slice(0, newline), echoed: got.slice(newline + 1), organization: typeof organization === 'string' ? organization : undefined });
      }
    });
    socket.on('error', reject);
  });
}

test('examples/tls-echo.js greets with the TLS version, echoes, and reloads its certificate on SIGHUP', async () => {
  const certFile = join(pki.dir, 'live.crt');
  const keyFile = join(pki.dir, 'live.key');
  copyFileSync(pki.server.certPath, certFile);
  copyFileSync(pki.server.keyPath, keyFile);
  const port = await freePort();
  const proc = spawn(process.execPath, [join(__dirname, '..', 'tls-echo.js'), `tls://127.0.0.1:${port}`, certFile, keyFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('tls echo on')) resolve();
    });
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    proc.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });

  const first = await session(port, 'over tls');
  expect(first.greeting).toMatch(/^hello TLSv1\.3 TLS_\w+$/);
  expect(first.echoed).toBe('over tls');
  expect(first.organization).toBeUndefined();

  copyFileSync(pki.renewed.certPath, certFile);
  copyFileSync(pki.renewed.keyPath, keyFile);
  proc.kill('SIGHUP');
  let renewed = first;
  for (let i = 0; i < 100 && renewed.organization !== 'renewed'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    renewed = await session(port, 'again');
  }
  expect(renewed).toMatchObject({ echoed: 'again', organization: 'renewed' });

  proc.kill('SIGINT');
  expect(await new Promise((resolve) => proc.once('exit', resolve))).toBe(0);
  child = undefined;
}, 60_000);
