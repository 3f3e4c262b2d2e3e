import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { AddressError } from './errors';
import type { Addr, Network } from './types';

/**
 * An address as `serve` takes it: a string such as `tcp://127.0.0.1:5000?reuseport=true`, or a
 * bare port (`8080` or `'8080'`), which means `tcp://127.0.0.1:8080`.
 */
export type AddressInput = string | number;

/**
 * What an address's query (`tcp://host:port?reuseport=true&backlog=1024`) may set for its own
 * listener; each overrides the `serve` option of the same name for that address only.
 */
export interface ListenerOptions {
  /** `reuseport`: SO_REUSEPORT on this listener (other sockets, other processes, may bind the port too). */
  readonly reusePort?: boolean;
  /** `reuseaddr`: SO_REUSEADDR on this listener (binding over connections in TIME_WAIT). */
  readonly reuseAddr?: boolean;
  /** `backlog`: this listener's `listen(2)` backlog. */
  readonly backlog?: number;
  /** `proxyprotocol`: read a PROXY protocol header from trusted peers (see {@link Options.proxyProtocol}). */
  readonly proxyProtocol?: boolean;
  /** `tls`: connections speak TLS with {@link Options.tls}; the scheme `tls://` sets it too. */
  readonly tls?: boolean;
}

/** A parsed listening address, before host names are resolved. */
export interface ListenAddress {
  readonly input: string;
  readonly network: Network;
  /** Host as written (no brackets); empty = every interface. */
  readonly host: string;
  readonly port: number;
  /** Unix socket path. */
  readonly path: string;
  /** What the address's query set. */
  readonly options: ListenerOptions;
}

const NETWORKS: readonly Network[] = ['tcp', 'tcp4', 'tcp6', 'udp', 'udp4', 'udp6', 'unix'];

/** The host a bare port binds: loopback, so that a port alone never exposes a server to the network. */
export const BARE_PORT_HOST = '127.0.0.1';

// The largest backlog Linux accepts is net.core.somaxconn (4096 since 5.4); the kernel silently
// caps a larger value, so only the int range listen(2) takes is checked here.
const MAX_BACKLOG = 2 ** 31 - 1;

function booleanOption(name: string, value: string, input: string): boolean {
  // evio reads the first letter (t, y or a digit 1-9 is true); the words are spelled out here.
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === 'yes' || lower === '1') return true;
  if (lower === 'false' || lower === 'no' || lower === '0') return false;
  throw new AddressError(`option '${name}' takes true or false, not '${value}'`, input);
}

const QUERY_OPTIONS: Readonly<Record<string, (value: string, input: string) => ListenerOptions>> = {
  reuseport: (value, input) => ({ reusePort: booleanOption('reuseport', value, input) }),
  reuseaddr: (value, input) => ({ reuseAddr: booleanOption('reuseaddr', value, input) }),
  backlog(value, input) {
    const n = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= 1 && n <= MAX_BACKLOG)) throw new AddressError(`option 'backlog' takes a positive integer, not '${value}'`, input);
    return { backlog: n };
  },
  proxyprotocol: (value, input) => ({ proxyProtocol: booleanOption('proxyprotocol', value, input) }),
  tls: (value, input) => ({ tls: booleanOption('tls', value, input) }),
};

/** Schemes that are TCP with TLS on top: `tls://host:port` is `tcp://host:port?tls=true`. */
const TLS_SCHEMES: Readonly<Record<string, Network>> = { tls: 'tcp', tls4: 'tcp4', tls6: 'tcp6' };

function parseQuery(query: string, input: string): ListenerOptions {
  let options: ListenerOptions = {};
  const seen = new Set<string>();
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    if (!Object.hasOwn(QUERY_OPTIONS, name)) {
      throw new AddressError(`unknown option '${name}' (known: ${Object.keys(QUERY_OPTIONS).join(', ')})`, input);
    }
    if (eq < 0) throw new AddressError(`option '${name}' needs a value (${name}=...)`, input);
    if (seen.has(name)) throw new AddressError(`option '${name}' is given twice`, input);
    seen.add(name);
    options = { ...options, ...QUERY_OPTIONS[name](part.slice(eq + 1), input) };
  }
  return options;
}

/**
 * Parses `tcp://host:port`, `tcp4://`, `tcp6://[::1]:port`, `tls://host:port` (TCP with TLS;
 * `tls4://`, `tls6://` too), `udp://…`, `unix:///path`, a
 * `host:port` or `:port` without scheme (TCP), or a bare port (`8080`, `'8080'`: TCP on
 * 127.0.0.1). An empty host (`tcp://:8080`, `:8080`) is every interface, as in Go's `net.Listen`.
 * A query sets {@link ListenerOptions}: `?reuseport=true&reuseaddr=false&backlog=1024`.
 *
 * @throws {@link AddressError} for an unknown scheme or option, a missing or out-of-range port,
 *   a bad option value, or an empty unix path.
 */
export function parseAddress(input: AddressInput): ListenAddress {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0 || input > 65535) throw new AddressError('a port is an integer from 0 to 65535', String(input));
    return { input: String(input), network: 'tcp', host: BARE_PORT_HOST, port: input, path: '', options: {} };
  }
  if (typeof input !== 'string' || input.length === 0) throw new AddressError('empty address', String(input));
  const schemeEnd = input.indexOf('://');
  const written = schemeEnd >= 0 ? input.slice(0, schemeEnd).toLowerCase() : 'tcp';
  const afterScheme = schemeEnd >= 0 ? input.slice(schemeEnd + 3) : input;
  const scheme = Object.hasOwn(TLS_SCHEMES, written) ? TLS_SCHEMES[written] : written;
  if (!NETWORKS.includes(scheme as Network)) throw new AddressError(`unknown scheme '${written}'`, input);
  const network = scheme as Network;
  const queryStart = afterScheme.indexOf('?');
  const rest = queryStart < 0 ? afterScheme : afterScheme.slice(0, queryStart);
  const query = queryStart < 0 ? {} : parseQuery(afterScheme.slice(queryStart + 1), input);
  if (scheme !== written && query.tls === false) throw new AddressError(`'${written}://' is TLS: ?tls=false contradicts it`, input);
  const options: ListenerOptions = scheme !== written ? { ...query, tls: true } : query;
  if (options.tls === true && network.startsWith('udp')) throw new AddressError('TLS runs over TCP, not udp', input);
  if (network === 'unix') {
    if (rest.length === 0) throw new AddressError('missing unix socket path', input);
    return { input, network, host: '', port: 0, path: rest, options };
  }
  if (schemeEnd < 0 && /^\d+$/.test(rest)) return { input, network, host: BARE_PORT_HOST, port: parsePort(rest, input), path: '', options };
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw new AddressError('malformed IPv6 address', input);
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) throw new AddressError(`missing port (write ${network}://host:port, or a bare port for ${BARE_PORT_HOST})`, input);
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(':')) throw new AddressError('IPv6 addresses must be in brackets', input);
  }
  const port = parsePort(portText, input);
  if (host.length > 0 && isIP(host) === 0 && !/^[A-Za-z0-9.-]+$/.test(host)) {
    throw new AddressError(`invalid host '${host}'`, input);
  }
  return { input, network, host, port, path: '', options };
}

function parsePort(text: string, input: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new AddressError(`invalid port '${text}'`, input);
  return Number(text);
}

/** IP version a network is pinned to, or 0 for either. */
export function familyOf(network: Network): 0 | 4 | 6 {
  return network.endsWith('4') ? 4 : network.endsWith('6') ? 6 : 0;
}

/** Resolves a host name to an IP literal of the network's family (IPs pass through). */
export async function resolveHost(addr: ListenAddress): Promise<string> {
  const literal = literalHost(addr);
  if (literal !== undefined) return literal;
  try {
    const family = familyOf(addr.network);
    const found = await lookup(addr.host, family === 0 ? {} : { family });
    return found.address;
  } catch (cause) {
    const error = new AddressError(`cannot resolve host '${addr.host}'`, addr.input);
    error.cause = cause;
    throw error;
  }
}

/**
 * The host of an address that needs no lookup (an IP literal, or none: every interface), checked
 * against the address's family; undefined for a name.
 */
export function literalHost(addr: ListenAddress): string | undefined {
  const version = isIP(addr.host);
  if (addr.host !== '' && version === 0) return undefined;
  const family = familyOf(addr.network);
  if (version !== 0 && family !== 0 && version !== family) {
    throw new AddressError(`${addr.host} is not an IPv${family} address`, addr.input);
  }
  return addr.host;
}

class Address implements Addr {
  constructor(
    readonly network: Network,
    readonly address: string,
    readonly port: number,
  ) {}

  toString(): string {
    if (this.network === 'unix') return `unix://${this.address}`;
    const host = this.address.includes(':') ? `[${this.address}]` : this.address;
    return `${this.network}://${host}:${this.port}`;
  }
}

/** Builds an {@link Addr} from the reactor's `[family, address, port]` triple. */
export function makeAddr(network: Network, family: number, address: string, port: number): Addr {
  return family === 0 ? new Address('unix', address, 0) : new Address(network, address, port);
}
