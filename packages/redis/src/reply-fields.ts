/**
 * Flat key/value replies (ACL LOG and GETUSER, COMMAND DOCS and key specs) written from a list of
 * typed fields: the map's length is counted from the fields present, so an optional field is one
 * `undefined` entry instead of a hand-kept `map(4 + (x ? 1 : 0) + …)` that must match the writes.
 *
 * @packageDocumentation
 */
import type { Reply } from './reply';

/** One `name → value` pair of a map reply, with the RESP type its value is written as. */
export type Field =
  /** A bulk string (a JS string as UTF-8). */
  | readonly [name: string, kind: 'bulk', value: string]
  /** A bulk string from a binary-safe (latin1) string: `Reply.bulkKey`. */
  | readonly [name: string, kind: 'key', value: string]
  | readonly [name: string, kind: 'integer', value: number]
  | readonly [name: string, kind: 'double', value: number]
  /** A set of simple strings (flags, as COMMAND shows them). */
  | readonly [name: string, kind: 'simple-set', value: readonly string[]]
  /** A set of bulk strings. */
  | readonly [name: string, kind: 'bulk-set', value: readonly string[]]
  /** An array of latin1 bulk strings. */
  | readonly [name: string, kind: 'key-array', value: readonly string[]]
  /** A nested map. */
  | readonly [name: string, kind: 'map', value: Fields]
  /** An array of maps. */
  | readonly [name: string, kind: 'map-array', value: readonly Fields[]];

/** A map's fields in reply order; `undefined` entries (absent optional fields) are skipped. */
export type Fields = readonly (Field | undefined)[];

/** Writes `fields` as one RESP map (a flat array of 2×n elements in RESP2). */
export function replyFields(r: Reply, fields: Fields): void {
  let n = 0;
  for (const f of fields) if (f !== undefined) n++;
  r.map(n);
  for (const f of fields) if (f !== undefined) replyField(r, f);
}

function replyField(r: Reply, f: Field): void {
  r.bulk(f[0]);
  switch (f[1]) {
    case 'bulk':
      return r.bulk(f[2]);
    case 'key':
      return r.bulkKey(f[2]);
    case 'integer':
      return r.integer(f[2]);
    case 'double':
      return r.double(f[2]);
    case 'simple-set':
      r.set(f[2].length);
      for (const s of f[2]) r.simple(s);
      return;
    case 'bulk-set':
      r.set(f[2].length);
      for (const s of f[2]) r.bulk(s);
      return;
    case 'key-array':
      r.array(f[2].length);
      for (const s of f[2]) r.bulkKey(s);
      return;
    case 'map':
      return replyFields(r, f[2]);
    case 'map-array':
      r.array(f[2].length);
      for (const m of f[2]) replyFields(r, m);
      return;
  }
}
