/**
 * The PROXY protocol (HAProxy's, versions 1 and 2): the header a load balancer sends first on
 * each connection to say whom the connection is really from. A listener with the option reads
 * it from trusted peers before anything else, and reports the client's address as the
 * connection's `remoteAddr`.
 *
 * @packageDocumentation
 */
import { BlockList, isIP } from 'node:net';
import { NevioError } from './errors';

/** A PROXY header that cannot be parsed; the connection is closed. */
export class ProxyProtocolError extends NevioError {
  constructor(message: string) {
    super(`PROXY protocol: ${message}`, 'ERR_NEVIO_PROXY_PROTOCOL');
  }
}

/** An address the header names: family 4 or 6 (0: unix), as the reactor reports them. */
export interface ProxiedEndpoint {
  readonly family: 4 | 6 | 0;
  readonly address: string;
  readonly port: number;
}

/** A complete header: its length, and the addresses it names (none for LOCAL / UNKNOWN). */
export interface ProxyHeader {
  readonly length: number;
  readonly source?: ProxiedEndpoint;
  readonly destination?: ProxiedEndpoint;
}

const V1_PREFIX = Buffer.from('PROXY ');
// The longest v1 line the specification allows: "PROXY UNKNOWN" + two IPv6 addresses, two
// ports and CRLF is 107 bytes.
const V1_MAX = 107;
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_FIXED = 16;
// Address block sizes of v2 by family: IPv4 4+4+2+2, IPv6 16+16+2+2, unix 108+108.
const V2_INET = 12;
const V2_INET6 = 36;
const V2_UNIX = 216;

/** Whether `data` could still become `prefix` (it is a prefix of it, or starts with it). */
function startsLike(data: Buffer, prefix: Buffer): boolean {
  const n = Math.min(data.length, prefix.length);
  return data.subarray(0, n).equals(prefix.subarray(0, n));
}

/**
 * Parses the header at the start of `data`: the header, or `undefined` when more bytes are
 * needed.
 *
 * @throws {@link ProxyProtocolError} when `data` does not start with a valid header.
 */
export function parseProxyHeader(data: Buffer): ProxyHeader | undefined {
  if (startsLike(data, V2_SIGNATURE)) return data.length < V2_FIXED ? undefined : parseV2(data);
  if (startsLike(data, V1_PREFIX)) return data.length < V1_PREFIX.length ? undefined : parseV1(data);
  throw new ProxyProtocolError('the connection does not start with a PROXY header');
}

function parseV1(data: Buffer): ProxyHeader | undefined {
  const end = data.indexOf('\r\n', 0, 'latin1');
  if (end < 0) {
    if (data.length >= V1_MAX) throw new ProxyProtocolError(`no CRLF in the first ${V1_MAX} bytes of a v1 header`);
    return undefined;
  }
  if (end + 2 > V1_MAX) throw new ProxyProtocolError(`a v1 header is at most ${V1_MAX} bytes`);
  const fields = data.toString('latin1', V1_PREFIX.length, end).split(' ');
  const length = end + 2;
  if (fields[0] === 'UNKNOWN') return { length };
  if ((fields[0] !== 'TCP4' && fields[0] !== 'TCP6') || fields.length !== 5) {
    throw new ProxyProtocolError(`a v1 header is 'PROXY TCP4|TCP6 source destination sport dport' or 'PROXY UNKNOWN'`);
  }
  const family = fields[0] === 'TCP4' ? 4 : 6;
  return {
    length,
    source: { family, address: v1Address(fields[1], family), port: v1Port(fields[3]) },
    destination: { family, address: v1Address(fields[2], family), port: v1Port(fields[4]) },
  };
}

function v1Address(text: string, family: 4 | 6): string {
  if (isIP(text) !== family) throw new ProxyProtocolError(`'${text.slice(0, 64)}' is not an IPv${family} address`);
  return text;
}

function v1Port(text: string): number {
  // No leading zeros or signs: the specification's ports are plain decimal numbers.
  if (!/^(0|[1-9]\d{0,4})$/.test(text) || Number(text) > 65535) throw new ProxyProtocolError(`'${text.slice(0, 16)}' is not a port`);
  return Number(text);
}

function parseV2(data: Buffer): ProxyHeader | undefined {
  const versionCommand = data[12];
  if (versionCommand >> 4 !== 2) throw new ProxyProtocolError(`version ${versionCommand >> 4} of the binary header is unknown`);
  const command = versionCommand & 0x0f;
  if (command > 1) throw new ProxyProtocolError(`command ${command} is neither LOCAL nor PROXY`);
  const length = V2_FIXED + data.readUInt16BE(14);
  if (data.length < length) return undefined;
  // LOCAL: the balancer's own connection (a health check); the real addresses stand.
  if (command === 0) return { length };
  const family = data[13] >> 4;
  const transport = data[13] & 0x0f;
  if (transport !== 1 && family !== 0) return { length }; // datagram: nothing this stream can use
  const block = data.subarray(V2_FIXED, length);
  switch (family) {
    case 1:
      if (block.length < V2_INET) throw new ProxyProtocolError('a v2 IPv4 header is too short');
      return {
        length,
        source: { family: 4, address: ipv4(block, 0), port: block.readUInt16BE(8) },
        destination: { family: 4, address: ipv4(block, 4), port: block.readUInt16BE(10) },
      };
    case 2:
      if (block.length < V2_INET6) throw new ProxyProtocolError('a v2 IPv6 header is too short');
      return {
        length,
        source: { family: 6, address: ipv6(block, 0), port: block.readUInt16BE(32) },
        destination: { family: 6, address: ipv6(block, 16), port: block.readUInt16BE(34) },
      };
    case 3:
      if (block.length < V2_UNIX) throw new ProxyProtocolError('a v2 unix header is too short');
      return {
        length,
        source: { family: 0, address: unixPath(block, 0), port: 0 },
        destination: { family: 0, address: unixPath(block, 108), port: 0 },
      };
    case 0:
      return { length }; // UNSPEC: the sender does not know the addresses
    default:
      throw new ProxyProtocolError(`address family ${family} of the binary header is unknown`);
  }
}

function ipv4(block: Buffer, at: number): string {
  return `${block[at]}.${block[at + 1]}.${block[at + 2]}.${block[at + 3]}`;
}

function ipv6(block: Buffer, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(block.readUInt16BE(at + i * 2).toString(16));
  // The canonical text form (zeros compressed), as the reactor reports IPv6 peers.
  return compressIPv6(groups);
}

/** RFC 5952 text: the longest run of two or more zero groups becomes `::`. */
function compressIPv6(groups: string[]): string {
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}

function unixPath(block: Buffer, at: number): string {
  const field = block.subarray(at, at + 108);
  const nul = field.indexOf(0);
  return field.toString('latin1', 0, nul < 0 ? field.length : nul);
}

/** The loopback networks, trusted by default. */
export const DEFAULT_PROXY_TRUSTED: readonly string[] = ['127.0.0.0/8', '::1/128'];

/**
 * The peers whose PROXY headers are believed: IP addresses and CIDR networks
 * (`10.0.0.0/8`, `fd00::/8`), and `unix` for unix-socket peers (a local balancer).
 *
 * @throws {@link NevioError} for an entry that is neither.
 */
export class ProxyTrust {
  private readonly list = new BlockList();
  private readonly unix: boolean;

  constructor(entries: readonly string[]) {
    this.unix = entries.includes('unix');
    for (const entry of entries) {
      if (entry === 'unix') continue;
      const [address, bits, extra] = entry.split('/');
      const version = isIP(address);
      const max = version === 4 ? 32 : 128;
      const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
      if (version === 0 || extra !== undefined || prefix < 0 || prefix > max) {
        throw new NevioError(`proxyTrusted: '${entry}' is not an IP address, a CIDR network or 'unix'`, 'ERR_NEVIO_OPTIONS');
      }
      this.list.addSubnet(address, prefix, version === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** Whether a peer at `address` (family 4, 6, or 0 for unix) may send a PROXY header. */
  trusts(family: number, address: string): boolean {
    if (family === 0) return this.unix;
    // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d.
    const mapped = family === 6 && address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : '';
    if (isIP(mapped) === 4) return this.list.check(mapped, 'ipv4');
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}
