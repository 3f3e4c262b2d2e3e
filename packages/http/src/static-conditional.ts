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

/** `[start, end]` inclusive, `null` for a Range to ignore (serve the whole file), or 416. */
export function parseRange(header: string, size: number): [number, number] | null | 416 {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Multiple ranges and other units are legal to ignore (RFC 9110 14.2).
  if (match === null) return header.trim().startsWith('bytes=') && !header.includes(',') ? 416 : null;
  const [, first, last] = match;
  if (first === '' && last === '') return 416;
  let start: number;
  let end: number;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 416;
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) return 416;
  }
  if (start >= size || size === 0) return 416;
  return [start, end];
}
