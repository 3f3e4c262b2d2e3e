// The certificate the TLS peers serve: one self-signed ECDSA P-256 key pair per bench run, made
// with the openssl command line on first use and removed when the run exits. Every TLS peer
// serves the same one, so handshakes cost the same signature everywhere.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onPath } from './proc';

let made: { cert: string; key: string } | undefined;

/** Why TLS peers cannot run here, or null. */
export function tlsUnavailable(): string | null {
  return onPath('openssl') ? null : 'openssl is not installed (apt-get install openssl): it makes the certificate';
}

/** Paths of the PEM certificate and key, made on first call. */
export function benchCert(): { cert: string; key: string } {
  if (made) return made;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-bench-tls-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const r = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  made = { cert, key };
  return made;
}
