/**
 * The numbers of Redis 7.0's RDB format (rdb.h, RDB version 10): object types, opcodes, the
 * length prefixes and special string encodings.
 *
 * @packageDocumentation
 */

/** The RDB version Redis 7.0 writes (file header `REDIS0010`, DUMP payload footer). */
export const RDB_VERSION = 10;
/** The file's magic, before the 4-digit version. */
export const RDB_MAGIC = 'REDIS';

// Object types (the byte before a key, or the first byte of a DUMP payload).
export const TYPE_STRING = 0;
export const TYPE_LIST = 1;
export const TYPE_SET = 2;
/** Sorted set with scores as text (Redis before 3.2's RDB 8). */
export const TYPE_ZSET = 3;
export const TYPE_HASH = 4;
/** Sorted set with binary double scores. */
export const TYPE_ZSET_2 = 5;
export const TYPE_MODULE = 6;
export const TYPE_MODULE_2 = 7;
export const TYPE_HASH_ZIPMAP = 9;
export const TYPE_LIST_ZIPLIST = 10;
export const TYPE_SET_INTSET = 11;
export const TYPE_ZSET_ZIPLIST = 12;
export const TYPE_HASH_ZIPLIST = 13;
/** Quicklist of ziplists (Redis 3.2-6.2). */
export const TYPE_LIST_QUICKLIST = 14;
export const TYPE_STREAM_LISTPACKS = 15;
export const TYPE_HASH_LISTPACK = 16;
export const TYPE_ZSET_LISTPACK = 17;
/** Quicklist of listpack (or plain) nodes, each with its container kind (Redis 7.0). */
export const TYPE_LIST_QUICKLIST_2 = 18;
export const TYPE_STREAM_LISTPACKS_2 = 19;

// Opcodes (bytes that are not object types, in the file only).
/** A library's code follows (FUNCTION LOAD). */
export const OPCODE_FUNCTION2 = 245;
/** Redis 7.0 release candidates' function format (not loaded, as Redis 7.0 GA refuses it too). */
export const OPCODE_FUNCTION = 246;
export const OPCODE_MODULE_AUX = 247;
/** The next key's LRU idle time in seconds (a length). */
export const OPCODE_IDLE = 248;
/** The next key's LFU counter (one byte). */
export const OPCODE_FREQ = 249;
/** An aux field: two strings. */
export const OPCODE_AUX = 250;
/** Sizes of the database's key and expiry tables (two lengths). */
export const OPCODE_RESIZEDB = 251;
/** The next key's expiry, 8 bytes little endian, in ms. */
export const OPCODE_EXPIRETIME_MS = 252;
/** The next key's expiry, 4 bytes, in seconds (RDB before version 3). */
export const OPCODE_EXPIRETIME = 253;
/** The database of the keys that follow (a length). */
export const OPCODE_SELECTDB = 254;
export const OPCODE_EOF = 255;

// Length prefixes: the two top bits of the first byte.
export const LEN_6BIT = 0;
export const LEN_14BIT = 1;
/** The first byte of a 32-bit big-endian length. */
export const LEN_32BIT = 0x80;
/** The first byte of a 64-bit big-endian length. */
export const LEN_64BIT = 0x81;
/** Top bits 11: a special string encoding in the low 6 bits. */
export const LEN_ENCVAL = 3;

// Special string encodings.
export const ENC_INT8 = 0;
export const ENC_INT16 = 1;
export const ENC_INT32 = 2;
export const ENC_LZF = 3;

// Quicklist node containers (TYPE_LIST_QUICKLIST_2).
/** A node holding one large element as it is. */
export const CONTAINER_PLAIN = 1;
/** A node holding a listpack. */
export const CONTAINER_PACKED = 2;

/** The longest string a payload may announce: Redis's proto-max-bulk-len ceiling (512 MB). */
export const MAX_STRING_LENGTH = 512 * 1024 * 1024;
