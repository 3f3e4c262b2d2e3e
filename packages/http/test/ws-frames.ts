// Test helpers that speak WebSocket frames by hand: a client's masked frames, the server's
// unmasked ones parsed back, and a handshake over a raw socket.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { open } from './helpers';

export interface FrameOptions {
  fin?: boolean;
  /** The RSV1-3 bits, as 0-7 (RSV1 = 4). */
  rsv?: number;
  /** Send unmasked (a protocol error from a client). */
  unmasked?: boolean;
  /** Announce the length with a 16- or 64-bit field even when shorter would do. */
  lengthBytes?: 2 | 8;
}

/** A client frame (masked with a random key unless `unmasked`). */
export function clientFrame(opcode: number, payload: Buffer | string, options: FrameOptions = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const n = data.length;
  const wide = options.lengthBytes ?? (n < 126 ? 0 : n < 0x10000 ? 2 : 8);
  const masked = options.unmasked !== true;
  const header = Buffer.alloc(2 + wide + (masked ? 4 : 0));
  header[0] = (options.fin === false ? 0 : 0x80) | ((options.rsv ?? 0) << 4) | opcode;
  header[1] = (masked ? 0x80 : 0) | (wide === 0 ? n : wide === 2 ? 126 : 127);
  if (wide === 2) header.writeUInt16BE(n, 2);
  if (wide === 8) header.writeBigUInt64BE(BigInt(n), 2);
  if (!masked) return Buffer.concat([header, data]);
  const key = randomBytes(4);
  key.copy(header, 2 + wide);
  const body = Buffer.from(data);
  for (let i = 0; i < n; i++) body[i] ^= key[i & 3];
  return Buffer.concat([header, body]);
}

export interface ServerFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** Splits server frames out of `data`; returns them and the bytes of an incomplete last one. */
export function parseServerFrames(data: Buffer): { frames: ServerFrame[]; rest: Buffer } {
  const frames: ServerFrame[] = [];
  let off = 0;
  for (;;) {
    if (data.length - off < 2) break;
    const b0 = data[off];
    const b1 = data[off + 1];
    let length = b1 & 0x7f;
    let p = off + 2;
    if (length === 126) {
      if (data.length - p < 2) break;
      length = data.readUInt16BE(p);
      p += 2;
    } else if (length === 127) {
      if (data.length - p < 8) break;
      length = Number(data.readBigUInt64BE(p));
      p += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    if (masked) p += 4;
    if (data.length - p < length) break;
    frames.push({ fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload: data.subarray(p, p + length) });
    off = p + length;
  }
  return { frames, rest: data.subarray(off) };
}

/** A raw connection after a completed handshake: frames from the server accumulate in `frames`. */
export interface RawClient {
  socket: Socket;
  /** The 101 response's head. */
  head: string;
  frames: ServerFrame[];
  /** Resolves when the server has closed the connection. */
  ended: Promise<void>;
  /** Resolves once `n` frames have arrived. */
  waitFrames(n: number, ms?: number): Promise<ServerFrame[]>;
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Connects and completes the handshake by hand (`extra` adds request header lines). */
export async function rawClient(port: number, extra = ''): Promise<RawClient> {
  const socket = await open(port);
  socket.write(`GET /raw HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
  let pending = Buffer.alloc(0);
  let head: string | null = null;
  const frames: ServerFrame[] = [];
  const waiters: Array<() => void> = [];
  let onHead: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    if (head === null) {
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      head = pending.subarray(0, end).toString('latin1');
      pending = pending.subarray(end + 4);
      onHead?.();
    }
    const parsed = parseServerFrames(pending);
    for (const frame of parsed.frames) frames.push({ ...frame, payload: Buffer.from(frame.payload) });
    pending = Buffer.from(parsed.rest);
    for (const wake of waiters.splice(0)) wake();
  });
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    onHead = resolve;
    const timer = setTimeout(() => reject(new Error('no handshake response')), 5000);
    ended.then(() => {
      clearTimeout(timer);
      if (head === null) reject(new Error('closed before the handshake response'));
    });
  });
  const waitFrames = (n: number, ms = 5000): Promise<ServerFrame[]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${frames.length} of ${n} frames after ${ms} ms`)), ms);
      const check = (): void => {
        if (frames.length >= n) {
          clearTimeout(timer);
          resolve(frames);
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { socket, head: head ?? '', frames, ended, waitFrames };
}

/** The close code of a Close frame (1005 when it has none). */
export function closeCode(frame: ServerFrame): number {
  return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
}
