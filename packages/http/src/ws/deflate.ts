import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

/** Options of permessage-deflate (RFC 7692). */
export interface PerMessageDeflateOptions {
  /** Messages shorter than this many bytes are sent uncompressed. Default 1024, as `ws`. */
  threshold?: number;
  /** zlib's compression level, 0-9. Default 1: most of the size gain for a fraction of level 6's CPU. */
  level?: number;
  /**
   * The LZ77 window the server compresses with, 9-15 (`server_max_window_bits`). A client's
   * lower limit wins. Default 15.
   */
  serverMaxWindowBits?: number;
  /**
   * The window the client is asked to compress with (`client_max_window_bits`), 8-15, sent only
   * when the client offers the parameter. Default: not limited (15).
   */
  clientMaxWindowBits?: number;
}

/** What was agreed with one client. */
export interface DeflateParams {
  readonly threshold: number;
  readonly level: number;
  readonly windowBits: number;
  /** The `Sec-WebSocket-Extensions` value of the 101 response. */
  readonly response: string;
}

// RFC 7692 §7.2.1: a message's compressed data ends in an empty stored block, whose 4 bytes
// (00 00 ff ff) are left off the wire and put back before inflating.
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** Parses `a; b=1, c` into offers of [name, params]; null when the header is malformed. */
function parseOffers(header: string): Array<[string, Map<string, string | true>]> | null {
  const offers: Array<[string, Map<string, string | true>]> = [];
  for (const offer of header.split(',')) {
    const parts = offer.split(';').map((p) => p.trim());
    if (parts[0] === '') return null;
    const params = new Map<string, string | true>();
    for (const part of parts.slice(1)) {
      const eq = part.indexOf('=');
      const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
      let value: string | true = eq < 0 ? true : part.slice(eq + 1).trim();
      if (typeof value === 'string' && value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      // A repeated parameter makes the offer invalid (RFC 7692 §7): the map keeps it out below.
      if (name === '' || params.has(name)) params.set('\0invalid', true);
      else params.set(name, value);
    }
    offers.push([parts[0].toLowerCase(), params]);
  }
  return offers;
}

function windowBits(value: string | true | undefined): number | null {
  if (typeof value !== 'string' || !/^[0-9]{1,2}$/.test(value)) return null;
  const bits = Number(value);
  return bits >= 8 && bits <= 15 ? bits : null;
}

/**
 * Picks the first acceptable permessage-deflate offer of a `Sec-WebSocket-Extensions` header.
 * Every agreement is without context takeover in both directions (each message is compressed
 * on its own): zlib's synchronous calls then suffice, messages stay in order without a queue, and
 * a connection holds no zlib state (about 300 KiB per direction with a 15-bit window) between
 * messages. The cost is the ratio on small, repetitive messages.
 */
export function negotiateDeflate(header: string | undefined, options: PerMessageDeflateOptions): DeflateParams | null {
  if (header === undefined) return null;
  const offers = parseOffers(header);
  if (offers === null) return null;
  for (const [name, params] of offers) {
    if (name !== 'permessage-deflate') continue;
    let ok = true;
    let serverBits = options.serverMaxWindowBits ?? 15;
    let response = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover';
    for (const [param, value] of params) {
      if (param === 'server_no_context_takeover' || param === 'client_no_context_takeover') {
        ok = value === true;
      } else if (param === 'server_max_window_bits') {
        const bits = windowBits(value);
        // zlib cannot make an 8-bit raw deflate window (it silently uses 9), which such a
        // client could not inflate: the offer is declined.
        if (bits === null || bits === 8) ok = false;
        else serverBits = Math.min(serverBits, bits);
      } else if (param === 'client_max_window_bits') {
        ok = value === true || windowBits(value) !== null;
        const limit = options.clientMaxWindowBits;
        if (ok && limit !== undefined) response += `; client_max_window_bits=${value === true ? limit : Math.min(limit, Number(value))}`;
      } else {
        ok = false;
      }
      if (!ok) break;
    }
    if (!ok) continue;
    if (params.has('server_max_window_bits') || serverBits < 15) response += `; server_max_window_bits=${serverBits}`;
    return { threshold: options.threshold ?? 1024, level: options.level ?? 1, windowBits: serverBits, response };
  }
  return null;
}

/** Compresses one message (no context takeover). */
export function deflateMessage(params: DeflateParams, data: Uint8Array): Buffer {
  const out = deflateRawSync(data, { level: params.level, windowBits: params.windowBits, finishFlush: constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - TAIL.length);
}

/**
 * Decompresses one message, refusing to produce more than `max` bytes (a small message must not
 * inflate into gigabytes): RangeError `ERR_BUFFER_TOO_LARGE` then.
 */
export function inflateMessage(parts: Buffer[], max: number): Buffer {
  return inflateRawSync(Buffer.concat([...parts, TAIL]), { windowBits: 15, finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: Math.max(1, max) });
}
