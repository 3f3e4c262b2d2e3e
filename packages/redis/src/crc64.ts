/**
 * CRC-64/Jones, Redis's `crc64` (reflected, polynomial 0xad93d23594c935a9, initial value 0, no
 * final xor): the checksum of RDB files and DUMP/FUNCTION DUMP payloads.
 * crc64('123456789') = 0xe9c6d914c4b8d9ca, Redis's own test vector.
 *
 * @packageDocumentation
 */

/** The reflected polynomial. */
const POLY = 0x95ac9329ac4bc9b5n;

/** One byte at a time: 256 entries, computed once. */
const TABLE: readonly bigint[] = Array.from({ length: 256 }, (_, b) => {
  let c = BigInt(b);
  for (let k = 0; k < 8; k++) c = (c & 1n) !== 0n ? (c >> 1n) ^ POLY : c >> 1n;
  return c;
});

/** The CRC64 of `data`, continuing from `crc` (0 to start). */
export function crc64(data: Uint8Array, crc = 0n): bigint {
  for (const byte of data) crc = TABLE[Number((crc ^ BigInt(byte)) & 0xffn)] ^ (crc >> 8n);
  return crc;
}
