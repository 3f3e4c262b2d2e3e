// Certificates for the TLS tests, made with `openssl` into a temporary directory when a test
// file starts (no key is ever committed): a CA, a server certificate for localhost/127.0.0.1,
// a second one for SNI, a client certificate, an expired one, and a self-signed stranger.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One certificate with its key: PEM text and the files holding it. */
export interface Identity {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export interface Pki {
  dir: string;
  ca: string;
  caPath: string;
  server: Identity;
  /** For SNI: CN and SAN other.test. */
  other: Identity;
  /** CN=client, for mTLS. */
  client: Identity;
  /** localhost, signed by the CA, valid only in 2020. */
  expired: Identity;
  /** localhost, self-signed: no CA vouches for it. */
  stranger: Identity;
  /** A second server certificate for localhost (another serial), to tell reloads apart. */
  renewed: Identity;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

// EC P-256 keys: generated in milliseconds, unlike RSA.
const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function signed(dir: string, name: string, subject: string, san: string, dates?: [string, string]): Identity {
  openssl(['req', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  if (dates === undefined) {
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
      '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
  } else {
    // `openssl x509` cannot backdate; `openssl ca` can.
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '1000\n');
    writeFileSync(join(dir, 'ca.cnf'), [
      '[ca]', 'default_ca = test', '[test]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir',
      'serial = $dir/serial', 'default_md = sha256', 'policy = any', 'unique_subject = no', '[any]', 'commonName = supplied', '',
    ].join('\n'));
    openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.crt`,
      '-startdate', dates[0], '-enddate', dates[1], '-extfile', `${name}.ext`, '-notext'], dir);
  }
  return read(dir, name);
}

function read(dir: string, name: string): Identity {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, keyPath };
}

/** Makes the whole set (about a dozen openssl runs, well under a second). */
export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'nevio-tls-'));
  openssl(['req', '-x509', ...KEY, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=nevio test CA'], dir);
  const localhost = 'DNS:localhost,IP:127.0.0.1';
  const pki: Pki = {
    dir,
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    caPath: join(dir, 'ca.crt'),
    server: signed(dir, 'server', '/CN=localhost', localhost),
    other: signed(dir, 'other', '/CN=other.test', 'DNS:other.test'),
    client: signed(dir, 'client', '/CN=client', 'DNS:client'),
    renewed: signed(dir, 'renewed', '/CN=localhost/O=renewed', localhost),
    expired: signed(dir, 'expired', '/CN=localhost', localhost, ['20200101000000Z', '20200102000000Z']),
    stranger: (() => {
      openssl(['req', '-x509', ...KEY, '-keyout', 'stranger.key', '-out', 'stranger.crt', '-days', '2', '-subj', '/CN=localhost',
        '-addext', `subjectAltName=${localhost}`], dir);
      return read(dir, 'stranger');
    })(),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  return pki;
}
