import { randomBytes } from 'node:crypto';
import { constants, createReadStream, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import type { Coding } from './accept-encoding';
import { compress, compressStream } from './compression';
import type { Response } from './response';
import type { ByteRange } from './static-conditional';

// Files up to this size are read in one go and sent with one write; larger ones are streamed.
const WHOLE_FILE = 64 * 1024;
const CHUNK = 64 * 1024;

/** Sends bytes `start` to `end` (inclusive) of `file` as they are, with a Content-Length. */
export async function sendFile(res: Response, file: string, start: number, end: number, head: boolean): Promise<void> {
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
    await writeRange(res, handle, start, end);
    res.end();
  } finally {
    await handle.close();
  }
}

/** Writes bytes `start` to `end` of the open file in chunks, waiting for the client at the high watermark. */
async function writeRange(res: Response, handle: FileHandle, start: number, end: number): Promise<void> {
  let position = start;
  while (position <= end && !res.aborted) {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, end - position + 1));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    if (!res.write(buffer.subarray(0, bytesRead))) await res.drain();
  }
}

/**
 * Sends several ranges of `file` as one multipart/byteranges body (RFC 9110 14.6), each part
 * with the file's Content-Type and its Content-Range, with an exact Content-Length.
 */
export async function sendRanges(res: Response, file: string, ranges: readonly ByteRange[], size: number, type: string, head: boolean): Promise<void> {
  // Random, so that it cannot occur in the file by a client's choice of ranges.
  const boundary = randomBytes(12).toString('hex');
  const heads = ranges.map(([start, end]) => `--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${start}-${end}/${size}\r\n\r\n`);
  const close = `--${boundary}--\r\n`;
  let length = close.length;
  for (let i = 0; i < ranges.length; i++) length += heads[i].length + ranges[i][1] - ranges[i][0] + 1 + 2;
  res.setHeader('Content-Type', `multipart/byteranges; boundary=${boundary}`);
  res.setHeader('Content-Length', length);
  if (head) {
    res.end();
    return;
  }
  const handle = await fs.open(file, constants.O_RDONLY);
  try {
    for (let i = 0; i < ranges.length && !res.aborted; i++) {
      res.write(heads[i]);
      await writeRange(res, handle, ranges[i][0], ranges[i][1]);
      res.write('\r\n');
    }
    res.end(close);
  } finally {
    await handle.close();
  }
}

/**
 * Sends `file` compressed with `coding` as it is read. A small file is compressed whole and gets
 * a Content-Length; a larger one is streamed chunked, read only as fast as the client takes it.
 * HEAD of a large file sends the headers of that chunked answer without compressing anything.
 */
export async function sendCompressed(res: Response, file: string, size: number, coding: Coding, head: boolean): Promise<void> {
  res.setHeader('Content-Encoding', coding);
  if (size <= WHOLE_FILE) {
    res.end(await compress(await fs.readFile(file), coding));
    return;
  }
  if (head) {
    res.write('');
    res.end();
    return;
  }
  const encoded = pipeline(createReadStream(file, { highWaterMark: CHUNK }), compressStream(coding, size), () => undefined);
  try {
    for await (const chunk of encoded) {
      if (res.aborted) break;
      if (!res.write(chunk as Buffer)) await res.drain();
    }
  } finally {
    encoded.destroy();
  }
  res.end();
}
