/**
 * Redis's TLS settings on nevio's TLS (the handshake and records run in the reactor):
 * `tls-port` adds a TLS listener on every `bind` address, beside the plain `port`;
 * `tls-cert-file`/`tls-key-file` (`tls-key-file-pass`), `tls-ca-cert-file`, `tls-auth-clients`
 * (yes: a client certificate is required, optional: asked for, no), `tls-protocols`,
 * `tls-ciphers`/`tls-ciphersuites` and `tls-session-cache-timeout` are read as Redis 7.0 reads
 * them. CONFIG SET of any of them reloads the certificates without a restart, as in Redis.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import type { TlsOptions, TlsVersion } from '@nevio/core';
import { showSetting, type Config } from './config';

/** The settings whose CONFIG SET rebuilds the TLS context (Redis: applyTlsCfg on any tls-* change). */
export function isTlsSetting(name: string): boolean {
  return name.startsWith('tls-') && name !== 'tls-port' && name !== 'tls-replication' && name !== 'tls-cluster';
}

/** The TLS port, or 0 when TLS is off. */
export function tlsPort(config: Readonly<Config>): number {
  return Number(showSetting(config, 'tls-port'));
}

function read(config: Readonly<Config>, setting: string): string {
  const file = showSetting(config, setting);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    // Redis: "Failed to load certificate: <file>: ...".
    throw new Error(`Failed to load ${setting} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** `tls-protocols "TLSv1.2 TLSv1.3"`: the lowest and highest named (empty: both). */
function versions(text: string): { minVersion?: TlsVersion; maxVersion?: TlsVersion } {
  const words = text.split(/\s+/).filter((w) => w.length > 0).map((w) => w.toLowerCase());
  if (words.length === 0) return {};
  const known = { 'tlsv1.2': 'TLSv1.2', 'tlsv1.3': 'TLSv1.3' } as const;
  const named: TlsVersion[] = [];
  for (const word of words) {
    if (word !== 'tlsv1.2' && word !== 'tlsv1.3') throw new Error(`Invalid tls-protocols specified: ${word} (nevio supports TLSv1.2 and TLSv1.3)`);
    named.push(known[word]);
  }
  named.sort();
  return { minVersion: named[0], maxVersion: named[named.length - 1] };
}

/** The server's TLS options from the configuration, files read now; throws with Redis-like messages. */
export function tlsSettings(config: Readonly<Config>): TlsOptions {
  if (showSetting(config, 'tls-cert-file') === '' || showSetting(config, 'tls-key-file') === '') {
    throw new Error('tls-port needs tls-cert-file and tls-key-file');
  }
  const auth = showSetting(config, 'tls-auth-clients');
  const hasCa = showSetting(config, 'tls-ca-cert-file') !== '';
  if (auth !== 'no' && !hasCa) {
    throw new Error('Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!');
  }
  const passphrase = showSetting(config, 'tls-key-file-pass');
  const ciphers = [showSetting(config, 'tls-ciphersuites'), showSetting(config, 'tls-ciphers')].filter((c) => c !== '').join(':');
  return {
    cert: read(config, 'tls-cert-file'),
    key: read(config, 'tls-key-file'),
    ...(passphrase !== '' ? { passphrase } : {}),
    ...(hasCa ? { ca: read(config, 'tls-ca-cert-file') } : {}),
    requestCert: auth !== 'no',
    rejectUnauthorized: auth === 'yes',
    ...versions(showSetting(config, 'tls-protocols')),
    ...(ciphers !== '' ? { ciphers } : {}),
    sessionTimeout: Math.max(1, Number(showSetting(config, 'tls-session-cache-timeout'))),
  };
}

/**
 * How a replica dials its master under `tls-replication yes`, as Redis's client context: the
 * certificate `tls-client-cert-file`/`tls-client-key-file` (`-pass`), or the server's own
 * `tls-cert-file`/`tls-key-file` when those are unset (sent when the master asks for one), and
 * `tls-ca-cert-file`, which the master's certificate must chain to. Beyond Redis, the master's
 * certificate must also name the host given to REPLICAOF (an IP in its subjectAltName for an
 * IP), since a chain alone would let any certificate of that CA stand in for the master.
 */
export function replicationTls(config: Readonly<Config>): TlsOptions {
  if (showSetting(config, 'tls-ca-cert-file') === '') {
    throw new Error('Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!');
  }
  const own = showSetting(config, 'tls-client-cert-file') !== '';
  const [certSetting, keySetting, passSetting] = own
    ? ['tls-client-cert-file', 'tls-client-key-file', 'tls-client-key-file-pass']
    : ['tls-cert-file', 'tls-key-file', 'tls-key-file-pass'];
  const hasCert = showSetting(config, certSetting) !== '' && showSetting(config, keySetting) !== '';
  const passphrase = showSetting(config, passSetting);
  const ciphers = [showSetting(config, 'tls-ciphersuites'), showSetting(config, 'tls-ciphers')].filter((c) => c !== '').join(':');
  return {
    ca: read(config, 'tls-ca-cert-file'),
    ...(hasCert ? { cert: read(config, certSetting), key: read(config, keySetting) } : {}),
    ...(hasCert && passphrase !== '' ? { passphrase } : {}),
    ...versions(showSetting(config, 'tls-protocols')),
    ...(ciphers !== '' ? { ciphers } : {}),
  };
}
