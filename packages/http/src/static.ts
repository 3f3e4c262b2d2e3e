import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { acceptedCodings, type Coding } from './accept-encoding';
import { directoryListing } from './autoindex';
import { MIN_COMPRESS_SIZE } from './compression';
import type { Handler } from './connection';
import { compressible, contentTypes } from './content-type';
import type { Request } from './request';
import type { Response } from './response';
import { etagOf, notModified, parseRanges, rangeApplies } from './static-conditional';
import { encodePath, hasDotSegment, normalisePath, type StaticPath } from './static-path';
import { sendCompressed, sendFile, sendRanges } from './static-send';

/** Options of {@link serveStatic}. */
export interface StaticOptions {
  /** File served for a directory. Default `index.html`. */
  index?: string;
  /** Extra or overriding content types by extension (with the dot), e.g. `{ '.md': 'text/markdown' }`. */
  types?: Record<string, string>;
  /**
   * Paths through a file or directory whose name starts with a dot (`.env`, `.git/config`):
   * `'deny'` answers 403 whether or not it exists, as nginx's usual `location ~ /\. { deny all; }`,
   * and leaves them out of listings; `'allow'` serves them. `/.well-known/` is always served.
   * Default `'deny'`.
   */
  dotfiles?: 'deny' | 'allow';
  /** A directory without an index file gets an HTML listing instead of 403 (nginx's `autoindex on`). Default `false`. */
  autoindex?: boolean;
  /**
   * Compress compressible types (text, JSON, JavaScript, SVG, ...) of at least 1 KiB with brotli
   * or gzip, as the client's Accept-Encoding allows; a `.br` or `.gz` file next to the requested
   * one is sent instead when the client takes that coding. Default `true`.
   */
  compress?: boolean;
  /** The Cache-Control of every file (and 304) answered; `false` sends none. Default `'public, max-age=0'` (revalidate each time, by ETag). */
  cacheControl?: string | false;
}

const PRECOMPRESSED: Readonly<Record<Coding, string>> = { br: '.br', gzip: '.gz' };

function plain(res: Response, status: number, text: string): void {
  res.status(status).setHeader('Content-Type', 'text/plain; charset=utf-8').end(`${text}\n`);
}

async function statOrUndefined(file: string): Promise<Stats | undefined> {
  return fs.stat(file).catch(() => undefined);
}

/** The first precompressed sibling of `file` (in the client's order of preference) that exists. */
async function precompressed(file: string, codings: readonly Coding[]): Promise<{ coding: Coding; file: string; stats: Stats } | undefined> {
  for (const coding of codings) {
    const sibling = file + PRECOMPRESSED[coding];
    const stats = await statOrUndefined(sibling);
    if (stats?.isFile()) return { coding, file: sibling, stats };
  }
  return undefined;
}

/**
 * A handler serving the files under `root`, modelled on nginx's static module:
 *
 * - paths are decoded and normalised (`/a/../b` is `/b`); one that climbs above the root, or is
 *   malformed, gets 400; dotfiles get 403 unless `dotfiles: 'allow'`;
 * - a directory requested without its trailing slash gets a 301 to it (query string kept); with
 *   it, its index file, else a listing (`autoindex`), else 403;
 * - content types by extension; brotli or gzip for compressible types (precompressed `.br`/`.gz`
 *   siblings first) with `Vary: Accept-Encoding`;
 * - HEAD, ETag and Last-Modified with 304 for If-None-Match / If-Modified-Since, Cache-Control,
 *   and byte ranges (206/416, If-Range; several as multipart/byteranges, up to 32 in ascending
 *   order without overlap, else the whole file), sent uncompressed.
 *
 * Only GET and HEAD are served (405 otherwise). Symbolic links are followed, as nginx does by default.
 */
export function serveStatic(root: string, options: StaticOptions = {}): Handler {
  const base = path.resolve(root);
  const index = options.index ?? 'index.html';
  const types = contentTypes(options.types);
  const allowDotfiles = options.dotfiles === 'allow';
  const cacheControl = options.cacheControl ?? 'public, max-age=0';
  const compress = options.compress ?? true;

  async function serveDirectory(req: Request, res: Response, dir: string, urlPath: StaticPath): Promise<void> {
    const indexFile = path.join(dir, index);
    const stats = await statOrUndefined(indexFile);
    if (stats?.isFile()) return serveFile(req, res, indexFile, stats);
    if (options.autoindex !== true) return plain(res, 403, 'Forbidden');
    const shown = urlPath.segments.length === 0 ? '/' : `/${urlPath.segments.join('/')}/`;
    const listing = await directoryListing(dir, shown, allowDotfiles);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    // A listing changes whenever the directory does: not worth caching.
    res.setHeader('Cache-Control', 'no-cache');
    res.end(listing);
  }

  async function serveFile(req: Request, res: Response, file: string, stats: Stats): Promise<void> {
    const head = req.method === 'HEAD';
    const type = types[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const lastModified = stats.mtime.toUTCString();
    const identityTag = etagOf(stats);
    const rangeHeader = req.header('range');
    const range = rangeHeader !== undefined && rangeApplies(req, identityTag, lastModified) ? parseRanges(rangeHeader, stats.size) : null;

    // The representation: a precompressed sibling, compressed on the fly, or the file as it is.
    // A range is of the file as it is.
    const negotiable = compress && compressible(type);
    let coding: Coding | undefined;
    let sibling: { file: string; stats: Stats } | undefined;
    if (negotiable && range === null) {
      const codings = acceptedCodings(req.header('accept-encoding'));
      const found = await precompressed(file, codings);
      if (found !== undefined) {
        coding = found.coding;
        sibling = found;
      } else if (codings.length > 0 && stats.size >= MIN_COMPRESS_SIZE) {
        coding = codings[0];
      }
    }
    const etag = sibling !== undefined ? etagOf(sibling.stats) : coding !== undefined ? etagOf(stats, coding) : identityTag;

    if (negotiable) res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', lastModified);
    if (cacheControl !== false) res.setHeader('Cache-Control', cacheControl);
    res.setHeader('Accept-Ranges', 'bytes');
    if (notModified(req, etag, stats.mtime)) {
      res.status(304).end();
      return;
    }
    if (range === 416) {
      res.setHeader('Content-Range', `bytes */${stats.size}`);
      return plain(res, 416, 'Range Not Satisfiable');
    }
    res.setHeader('Content-Type', type);
    if (range !== null && range.length > 1) {
      res.status(206);
      return sendRanges(res, file, range, stats.size, type, head);
    }
    if (range !== null) {
      const [start, end] = range[0];
      res.status(206).setHeader('Content-Range', `bytes ${start}-${end}/${stats.size}`);
      return sendFile(res, file, start, end, head);
    }
    if (sibling !== undefined && coding !== undefined) {
      res.setHeader('Content-Encoding', coding);
      return sendFile(res, sibling.file, 0, sibling.stats.size - 1, head);
    }
    if (coding !== undefined) return sendCompressed(res, file, stats.size, coding, head);
    return sendFile(res, file, 0, stats.size - 1, head);
  }

  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return plain(res, 405, 'Method Not Allowed');
    }
    const urlPath = normalisePath(req.path);
    if (urlPath === 400) return plain(res, 400, 'Bad Request');
    if (!allowDotfiles && hasDotSegment(urlPath)) return plain(res, 403, 'Forbidden');
    const file = path.join(base, ...urlPath.segments);
    const stats = await statOrUndefined(file);
    if (stats === undefined) return plain(res, 404, 'Not Found');
    if (stats.isDirectory()) {
      if (urlPath.directory) return serveDirectory(req, res, file, urlPath);
      const query = req.url.indexOf('?');
      res.setHeader('Location', encodePath(urlPath.segments, true) + (query < 0 ? '' : req.url.slice(query)));
      return plain(res, 301, 'Moved Permanently');
    }
    // A socket, a FIFO or a device is nothing to serve.
    if (!stats.isFile()) return plain(res, 403, 'Forbidden');
    // `/file.txt/` names a directory that is not one: nginx's ENOTDIR, a 404.
    if (urlPath.directory) return plain(res, 404, 'Not Found');
    return serveFile(req, res, file, stats);
  };
}
