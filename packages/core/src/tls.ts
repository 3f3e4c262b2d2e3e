/**
 * TLS options and what a TLS connection reports: the public types, and turning options into the
 * reactor's native contexts (OpenSSL as Node ships it). The record layer itself runs in the
 * reactor (packages/native/src/tls_*.cc).
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_CIPHERS, rootCertificates } from 'node:tls';
import { TlsContext } from '@nevio/native';
import type { NativeCertificate, NativeTlsInfo, TlsContextOptions } from '@nevio/native';
import { NevioError } from './errors';

/** PEM text, as a string or its bytes. */
export type Pem = string | Uint8Array;

/** A TLS protocol version nevio speaks (older ones are refused, as by Node's default). */
export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

/**
 * TLS settings, for a server ({@link Options.tls}, for its `tls://` addresses) or a dial
 * ({@link DialOptions.tls}). Same names and meanings as Node's `tls` options where they exist.
 */
export interface TlsOptions {
  /** The certificate, PEM, followed by its chain. A server needs one; a client sends it when asked (mTLS). */
  cert?: Pem;
  /** The private key of `cert`, PEM. Never logged or put in errors. */
  key?: Pem;
  /** Decrypts an encrypted `key`. */
  passphrase?: string;
  /**
   * Trusted certificate authorities, PEM (several may be concatenated, or given as a list).
   * A dial without it trusts Node's own root certificates (`tls.rootCertificates`); a server
   * uses it to verify client certificates ({@link TlsOptions.requestCert}).
   */
  ca?: Pem | readonly Pem[];
  /** Server: ask clients for a certificate. Default `false`. */
  requestCert?: boolean;
  /**
   * Refuse a peer whose certificate does not verify against `ca` (a server with `requestCert`
   * also refuses clients without one). Default `true`. With `false` the handshake completes and
   * {@link TlsInfo.authorized} says whether the certificate verified.
   */
  rejectUnauthorized?: boolean;
  /** ALPN protocols, most preferred first (a server picks the first the client offers). E.g. `['http/1.1']`. */
  alpn?: readonly string[];
  /** Dial: the name sent as SNI and that the server's certificate must carry. Default: the host dialed. */
  servername?: string;
  /** Server: further certificates by server name (SNI), exact (`example.com`) or one-label wildcard (`*.example.com`). */
  sni?: Readonly<Record<string, { cert: Pem; key: Pem; passphrase?: string }>>;
  /** Lowest version accepted. Default `TLSv1.2`. */
  minVersion?: TlsVersion;
  /** Highest version offered. Default `TLSv1.3`. */
  maxVersion?: TlsVersion;
  /**
   * Cipher list in OpenSSL's format, TLS 1.3 suites (`TLS_AES_128_GCM_SHA256`) and TLS 1.2
   * ciphers (`ECDHE-RSA-AES128-GCM-SHA256`) mixed, as Node takes it. Default Node's `tls.DEFAULT_CIPHERS`.
   */
  ciphers?: string;
  /** Milliseconds a handshake may take before the connection is closed with `ERR_TLS_HANDSHAKE_TIMEOUT`. Default 10 000. */
  handshakeTimeout?: number;
  /** Server: seconds a session ticket stays valid for resumption. Default 300. */
  sessionTimeout?: number;
  /** Dial: a session saved from {@link TlsInfo.session} of an earlier connection, to resume it. */
  session?: Uint8Array;
}

/** A peer's certificate as {@link TlsInfo.peerCertificate} reports it (the reactor's description, as is). */
export type PeerCertificate = NativeCertificate;

/** What a TLS connection negotiated ({@link Conn.tls}): the reactor's description plus the session. */
export interface TlsInfo extends NativeTlsInfo {
  /**
   * Client side: the session to resume a later dial with ({@link TlsOptions.session}); read it
   * after some data has arrived (TLS 1.3 servers send their tickets after the handshake).
   */
  readonly session: Buffer | null;
}

const VERSIONS: Readonly<Record<TlsVersion, number>> = { 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };

function option(name: string, detail: string): NevioError {
  return new NevioError(`tls.${name} ${detail}`, 'ERR_NEVIO_OPTIONS');
}

function version(name: 'minVersion' | 'maxVersion', value: TlsVersion | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Object.hasOwn(VERSIONS, value)) throw option(name, `must be TLSv1.2 or TLSv1.3, not ${String(value)}`);
  return VERSIONS[value];
}

function caText(ca: TlsOptions['ca']): Pem | undefined {
  if (ca === undefined || typeof ca === 'string' || ca instanceof Uint8Array) return ca;
  return ca.map((pem) => (typeof pem === 'string' ? pem : Buffer.from(pem).toString('latin1'))).join('\n');
}

/** Node's cipher format splits into OpenSSL's two lists: TLS 1.3 suites and TLS 1.2 ciphers. */
function splitCiphers(list: string): { ciphers: string; ciphersuites: string } {
  const parts = list.split(':').filter((part) => part.length > 0);
  return {
    ciphersuites: parts.filter((part) => part.startsWith('TLS_')).join(':'),
    ciphers: parts.filter((part) => !part.startsWith('TLS_')).join(':'),
  };
}

const DEFAULT_CA = rootCertificates.join('\n');

function nativeOptions(options: TlsOptions, server: boolean): TlsContextOptions {
  const timeout = options.handshakeTimeout;
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 1 && timeout <= 2 ** 31 - 1)) {
    throw option('handshakeTimeout', `must be a whole number of milliseconds from 1 to 2^31-1, not ${String(timeout)}`);
  }
  const { ciphers, ciphersuites } = splitCiphers(options.ciphers ?? DEFAULT_CIPHERS);
  if (options.ciphers !== undefined && ciphers === '' && ciphersuites === '') throw option('ciphers', 'names no cipher');
  const sni = Object.entries(options.sni ?? {}).map(([name, identity]) => ({ name, ...identity }));
  if (!server && sni.length > 0) throw option('sni', 'is for servers (a dial names its server with servername)');
  return {
    server,
    cert: options.cert,
    key: options.key,
    passphrase: options.passphrase,
    ca: caText(options.ca) ?? (server ? undefined : DEFAULT_CA),
    requestCert: options.requestCert,
    rejectUnauthorized: options.rejectUnauthorized,
    alpn: options.alpn,
    minVersion: version('minVersion', options.minVersion),
    maxVersion: version('maxVersion', options.maxVersion),
    // An empty list would leave OpenSSL's own default for that version in place.
    ciphers: ciphers || undefined,
    ciphersuites: ciphersuites || undefined,
    sni,
    sessionTimeout: options.sessionTimeout,
    handshakeTimeout: timeout,
  };
}

function build(native: TlsContextOptions): TlsContext {
  try {
    return new TlsContext(native);
  } catch (error) {
    throw new NevioError((error as Error).message, 'ERR_NEVIO_TLS_CONFIG');
  }
}

/**
 * Session ticket keys for a server: the same 80 bytes for every loop of the server and across
 * certificate reloads, so a ticket issued by one loop resumes on another and after a reload.
 */
export function newTicketKeys(): Buffer {
  return randomBytes(80);
}

/**
 * A server's native context. Throws a NevioError (`ERR_NEVIO_TLS_CONFIG`) naming what is wrong
 * (a PEM that does not parse, a key that does not match its certificate), never key material.
 */
export function serverContext(options: TlsOptions, ticketKeys: Uint8Array): TlsContext {
  return build({ ...nativeOptions(options, true), ticketKeys });
}

/** Client contexts by options object: a dial loop reuses one rather than parse the roots per dial. */
const clientContexts = new WeakMap<TlsOptions, TlsContext>();
const NO_OPTIONS: TlsOptions = {};

/** A dial's native context (cached per options object). */
export function clientContext(options: TlsOptions | undefined): TlsContext {
  const key = options ?? NO_OPTIONS;
  let context = clientContexts.get(key);
  if (context === undefined) {
    context = build(nativeOptions(key, false));
    clientContexts.set(key, context);
  }
  return context;
}

/** {@link TlsInfo} from the reactor's description plus the session getter. */
export function tlsInfo(native: NativeTlsInfo, session: () => Buffer | null): TlsInfo {
  return {
    ...native,
    get session() {
      return session();
    },
  };
}
