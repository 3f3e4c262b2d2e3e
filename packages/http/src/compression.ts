import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, type BrotliOptions, constants, createBrotliCompress, createGzip, gzip, gzipSync, type ZlibOptions } from 'node:zlib';
import type { Transform } from 'node:stream';
import type { Coding } from './accept-encoding';

/** Bodies smaller than this are sent as they are: the coding's own overhead eats most of the gain. */
export const MIN_COMPRESS_SIZE = 1024;

// Brotli's default quality (11) is meant for compressing once ahead of time and costs about 20
// times quality 5's CPU; 5 still compresses text better than gzip's default level.
const BROTLI_QUALITY = 5;

function brotliOptions(size: number | undefined): BrotliOptions {
  const params: Record<number, number> = { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY };
  if (size !== undefined) params[constants.BROTLI_PARAM_SIZE_HINT] = size;
  return { params };
}

const GZIP_OPTIONS: ZlibOptions = { level: constants.Z_DEFAULT_COMPRESSION };
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** `data` compressed with `coding`, in zlib's thread pool. */
export function compress(data: Buffer, coding: Coding): Promise<Buffer> {
  return coding === 'br' ? brotliAsync(data, brotliOptions(data.length)) : gzipAsync(data, GZIP_OPTIONS);
}

/** `data` compressed with `coding`, on this thread. */
export function compressSync(data: Buffer, coding: Coding): Buffer {
  return coding === 'br' ? brotliCompressSync(data, brotliOptions(data.length)) : gzipSync(data, GZIP_OPTIONS);
}

/** A stream compressing with `coding`, for bodies too large to hold at once (`size`: the input's, if known). */
export function compressStream(coding: Coding, size?: number): Transform {
  return coding === 'br' ? createBrotliCompress(brotliOptions(size)) : createGzip(GZIP_OPTIONS);
}
