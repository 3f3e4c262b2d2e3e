import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { AddressError } from './errors';
import type { Addr, Network } from './types';

/** A parsed listening address, before host names are resolved. */
export interface ListenAddress {
  readonly input: string;
  readonly network: Network;
  /** Host as written (no brackets); empty = every interface. */
  readonly host: string;
  readonly port: number;
  /** Unix socket path. */
  readonly path: string;
}

const NETWORKS: readonly Network[] = ['tcp', 'tcp4', 'tcp6', 'udp', 'udp4', 'udp6', 'unix'];

/**
 * Parses `tcp://host:port`, `tcp4://`, `tcp6://[::1]:port`, `udp://…`, `unix:///path`, or a bare
 * `host:port` / `:port` (TCP).
 *
 * @throws {@link AddressError} for an unknown scheme, a missing or out-of-range port, or an
 *   empty unix path.
 */
export function parseAddress(input: string): ListenAddress {
  if (typeof input !== 'string' || input.length === 0) throw new AddressError('empty address', String(input));
  const schemeEnd = input.indexOf('://');
  const scheme = schemeEnd >= 0 ? input.slice(0, schemeEnd).toLowerCase() : 'tcp';
  const rest = schemeEnd >= 0 ? input.slice(schemeEnd + 3) : input;
  if (!NETWORKS.includes(scheme as Network)) throw new AddressError(`unknown scheme '${scheme}'`, input);
  const network = scheme as Network;
  if (network === 'unix') {
    if (rest.length === 0) throw new AddressError('missing unix socket path', input);
    return { input, network, host: '', port: 0, path: rest };
  }
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw new AddressError('malformed IPv6 address', input);
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) throw new AddressError('missing port', input);
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(':')) throw new AddressError('IPv6 addresses must be in brackets', input);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new AddressError(`invalid port '${portText}'`, input);
  }
  if (host.length > 0 && isIP(host) === 0 && !/^[A-Za-z0-9.-]+$/.test(host)) {
    throw new AddressError(`invalid host '${host}'`, input);
  }
  return { input, network, host, port: Number(portText), path: '' };
}

/** IP version a network is pinned to, or 0 for either. */
export function familyOf(network: Network): 0 | 4 | 6 {
  return network.endsWith('4') ? 4 : network.endsWith('6') ? 6 : 0;
}

/** Resolves a host name to an IP literal of the network's family (IPs pass through). */
export async function resolveHost(addr: ListenAddress): Promise<string> {
  if (addr.host === '' || isIP(addr.host) !== 0) {
    const version = isIP(addr.host);
    const family = familyOf(addr.network);
    if (version !== 0 && family !== 0 && version !== family) {
      throw new AddressError(`${addr.host} is not an IPv${family} address`, addr.input);
    }
    return addr.host;
  }
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
