import type { UpgradeSocket } from '../upgrade';

// The core copies every write into its stage buffer (or hands a large one to the reactor, which
// copies it) before returning, so one header buffer serves every frame: no allocation per frame.
const header = Buffer.alloc(10);

/** Writes the header of an unmasked (server) frame. */
function writeHeader(socket: UpgradeSocket, opcode: number, fin: boolean, rsv1: boolean, length: number): boolean {
  header[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  let size = 2;
  if (length < 126) {
    header[1] = length;
  } else if (length < 0x10000) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
    size = 4;
  } else {
    header[1] = 127;
    header.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    header.writeUInt32BE(length >>> 0, 6);
    size = 10;
  }
  return socket.write(header.subarray(0, size));
}

/**
 * Writes one frame: its header, then the payload as it is (a string is encoded as UTF-8 by the
 * core straight into its buffer). Returns the socket's answer: `false` above the high watermark.
 */
export function writeFrame(socket: UpgradeSocket, opcode: number, fin: boolean, rsv1: boolean, payload: string | Uint8Array): boolean {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const ok = writeHeader(socket, opcode, fin, rsv1, length);
  return length === 0 ? ok : socket.write(payload);
}
