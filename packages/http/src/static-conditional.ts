import type { Stats } from 'node:fs';
import type { Request } from './request';

/**
 * The entity tag of a file as nginx makes it (`"mtime-size"` in hex): strong, so that If-Range can
 * use it. A representation compressed on the fly is only equivalent to another, not byte for byte
 * equal: its tag is weak and names the coding.
 */
export function etagOf(stats: Stats, onTheFly?: string): string {
  const tag = `${Math.floor(stats.mtimeMs / 1000).toString(16)}-${stats.size.toString(16)}`;
  return onTheFly === undefined ? `"${tag}"` : `W/"${tag}-${onTheFly}"`;
}

/** If-None-Match's weak comparison (RFC 9110 8.8.3.2): the tags match whatever their `W/`. */
function weakMatch(a: string, b: string): boolean {
  const strip = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);
  return strip(a) === strip(b);
}

/** Whether the client's copy is current: If-None-Match, or (without it) If-Modified-Since. */
export function notModified(req: Request, etag: string, mtime: Date): boolean {
  const ifNoneMatch = req.header('if-none-match');
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => weakMatch(tag.trim(), etag));
  }
  const ifModifiedSince = req.header('if-modified-since');
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && Math.floor(mtime.getTime() / 1000) * 1000 <= since;
  }
  return false;
}

/**
 * Whether a Range applies: without If-Range, or when If-Range names this version, by a strong
 * ETag (RFC 9110 13.1.5 demands strong comparison) or by the Last-Modified date.
 */
export function rangeApplies(req: Request, etag: string, lastModified: string): boolean {
  const ifRange = req.header('if-range');
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  return value.startsWith('"') ? value === etag && !etag.startsWith('W/') : value === lastModified;
}

/** An inclusive byte range of a file. */
export type ByteRange = [start: number, end: number];

/**
 * Most ranges one request gets as multipart/byteranges. RFC 9110 14.3 lets a server ignore a
 * Range of many small or overlapping ranges, which cost a part header each and can make the
 * answer many times the file (an amplification): 32 covers what PDF readers and download
 * managers ask for.
 */
const MAX_RANGES = 32;

/** One `first-last` / `first-` / `-suffix` spec against `size`: its bytes, or null when unsatisfiable; undefined when malformed. */
function rangeSpec(spec: string, size: number): ByteRange | null | undefined {
  const match = /^(\d*)-(\d*)$/.exec(spec.trim());
  if (match === null) return undefined;
  const [, first, last] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    return suffix === 0 || size === 0 ? null : [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return null;
  return [start, last === '' ? size - 1 : Math.min(Number(last), size - 1)];
}

/**
 * The satisfiable ranges of a `Range` header (RFC 9110 14.1.1: at least one, in the order
 * asked), `null` for a Range to ignore and serve the whole file (another unit, or more than
 * {@link MAX_RANGES} ranges, or ranges that overlap or go backwards: 14.3), or 416 (malformed,
 * or nothing satisfiable).
 */
export function parseRanges(header: string, size: number): ByteRange[] | null | 416 {
  const value = header.trim();
  if (!value.startsWith('bytes=')) return null;
  const specs = value.slice(6).split(',');
  if (specs.length > MAX_RANGES) return null;
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    // A list may have empty elements, which recipients skip (RFC 9110 5.6.1).
    if (spec.trim() === '') continue;
    const range = rangeSpec(spec, size);
    if (range === undefined) return 416;
    if (range === null) continue;
    if (ranges.length > 0 && range[0] <= ranges[ranges.length - 1][1]) return null;
    ranges.push(range);
  }
  return ranges.length === 0 ? 416 : ranges;
}
