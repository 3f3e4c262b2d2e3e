import { constants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { Handler } from './connection';
import type { Request } from './request';
import type { Response } from './response';

/** Options of {@link serveStatic}. */
export interface StaticOptions {
  /** File served for a directory. Default `index.html`. */
  index?: string;
  /** Extra or overriding content types by extension (with the dot), e.g. `{ '.md': 'text/markdown' }`. */
  types?: Record<string, string>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
};

// Files up to this size are read in one go and sent with one write; larger ones are streamed.
const WHOLE_FILE = 64 * 1024;
const CHUNK = 64 * 1024;

function plain(res: Response, status: number, text: string): void {
  res.status(status).setHeader('Content-Type', 'text/plain; charset=utf-8').end(`${text}\n`);
}

/** The decoded path relative to the root, or a status to answer with. */
function resolvePath(root: string, req: Request): string | number {
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.path);
  } catch {
    return 400;
  }
  if (decoded.includes('\0') || !decoded.startsWith('/')) return 400;
  // `..` is refused outright (even where it would stay inside the root) rather than normalised:
  // a request that tries it is not one a browser sends.
  if (decoded.split(/[\\/]/).includes('..')) return 403;
  const full = path.resolve(root, `.${decoded}`);
  if (full !== root && !full.startsWith(root + path.sep)) return 403;
  return full;
}

function etagOf(stats: Stats): string {
  return `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
}

function notModified(req: Request, etag: string, mtime: Date): boolean {
  const ifNoneMatch = req.header('if-none-match');
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim() === etag);
  }
  const ifModifiedSince = req.header('if-modified-since');
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && Math.floor(mtime.getTime() / 1000) * 1000 <= since;
  }
  return false;
}

/** `[start, end]` inclusive, `null` for a Range to ignore (serve the whole file), or 416. */
function parseRange(header: string, size: number): [number, number] | null | 416 {
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

async function sendFile(res: Response, file: string, start: number, end: number, head: boolean): Promise<void> {
  const length = end - start + 1;
  if (head || length === 0) {
    res.setHeader('Content-Length', length).end();
    return;
  }
  const handle = await fs.open(file, constants.O_RDONLY);
  try {
    if (length <= WHOLE_FILE) {
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, start);
      res.end(buffer.subarray(0, bytesRead));
      return;
    }
    res.setHeader('Content-Length', length);
    let position = start;
    while (position <= end && !res.aborted) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, end - position + 1));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      if (!res.write(buffer.subarray(0, bytesRead))) await res.drain();
    }
    res.end();
  } finally {
    await handle.close();
  }
}

/**
 * A handler serving the files under `root`: content types by extension, `index.html` for
 * directories, 404 for missing files, 403 for paths that try to leave the root (including
 * percent-encoded `..`), HEAD, ETag/Last-Modified with 304, and single byte ranges (206/416).
 */
export function serveStatic(root: string, options: StaticOptions = {}): Handler {
  const base = path.resolve(root);
  const index = options.index ?? 'index.html';
  const types = { ...TYPES, ...options.types };

  return async (req, res) => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('Allow', 'GET, HEAD');
      plain(res, 405, 'Method Not Allowed');
      return;
    }
    const resolved = resolvePath(base, req);
    if (typeof resolved === 'number') {
      plain(res, resolved, resolved === 403 ? 'Forbidden' : 'Bad Request');
      return;
    }
    let file = resolved;
    let stats: Stats;
    try {
      stats = await fs.stat(file);
      if (stats.isDirectory()) {
        file = path.join(file, index);
        stats = await fs.stat(file);
      }
    } catch {
      plain(res, 404, 'Not Found');
      return;
    }
    if (!stats.isFile()) {
      plain(res, 403, 'Forbidden');
      return;
    }

    const etag = etagOf(stats);
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', stats.mtime.toUTCString());
    res.setHeader('Accept-Ranges', 'bytes');
    if (notModified(req, etag, stats.mtime)) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', types[path.extname(file).toLowerCase()] ?? 'application/octet-stream');

    const size = stats.size;
    const rangeHeader = req.header('range');
    const ifRange = req.header('if-range');
    const range =
      rangeHeader === undefined || (ifRange !== undefined && ifRange !== etag && ifRange !== stats.mtime.toUTCString())
        ? null
        : parseRange(rangeHeader, size);
    if (range === 416) {
      res.status(416).setHeader('Content-Range', `bytes */${size}`);
      res.removeHeader('Content-Type');
      plain(res, 416, 'Range Not Satisfiable');
      return;
    }
    if (range !== null) {
      res.status(206).setHeader('Content-Range', `bytes ${range[0]}-${range[1]}/${size}`);
      await sendFile(res, file, range[0], range[1], head);
      return;
    }
    await sendFile(res, file, 0, size - 1, head);
  };
}
