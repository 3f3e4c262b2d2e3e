/**
 * DEBUG DIGEST / DIGEST-VALUE: Redis's dataset digest (debug.c `computeDatasetDigest`), so it
 * changes exactly when the data changes and equals redis-server's for the same data.
 *
 * Unordered things (keys, set members, hash fields, sorted-set members) are combined by xor so
 * their order does not matter; ordered ones (list elements) by feeding the digest back into
 * SHA1 (`mix`), so [a,b] and [b,a] differ. The elements of a value come from its type's
 * `TypeOps.rewrite` (the commands that rebuild it), so every type's own representation stays
 * private to it.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import type { Db, Entry, TypeOpsTable, ValueType } from './command';

/** Redis's object type numbers (OBJ_STRING …), hashed into each value's digest. */
const TYPE_CODE: Record<ValueType, number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 };

type Digest = Buffer;

function bytes(x: Buffer | string): Buffer {
  return typeof x === 'string' ? Buffer.from(x, 'latin1') : x;
}

/** digest ^= SHA1(data) */
function xor(digest: Digest, data: Uint8Array): void {
  const h = createHash('sha1').update(data).digest();
  for (let i = 0; i < 20; i++) digest[i] ^= h[i];
}

/** digest = SHA1(digest ^ SHA1(data)): order-preserving. */
function mix(digest: Digest, data: Uint8Array): void {
  xor(digest, data);
  createHash('sha1').update(digest).digest().copy(digest);
}

/** C's `%.17g`, which Redis uses for sorted-set scores in the digest. */
export function formatG17(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, expText] = x.toExponential(16).split('e');
  const exp = Number(expText);
  const trim = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= 17) return `${trim(mant)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return trim(x.toFixed(16 - exp));
}

/** The words after the command name and the key of each rebuilding command of a value. */
function* elements(ops: TypeOpsTable, key: string, e: Entry): IterableIterator<Buffer | string> {
  const t = ops[e.type];
  if (t === undefined) throw new Error(`no TypeOps for ${e.type}`);
  for (const cmd of t.rewrite(key, e.value)) for (let i = 2; i < cmd.length; i++) yield cmd[i];
}

/** Mixes one value into `digest` (debug.c `xorObjectDigest`). */
function valueDigest(ops: TypeOpsTable, db: Db, key: string, e: Entry, digest: Digest): void {
  const aux = Buffer.alloc(4);
  aux.writeUInt32BE(TYPE_CODE[e.type]);
  mix(digest, aux);
  const own = ops[e.type]?.digest;
  if (own !== undefined) {
    own(e.value, (data) => mix(digest, bytes(data)));
    if (db.expires.has(key)) xor(digest, Buffer.from('!!expire!!'));
    return;
  }
  const words = [...elements(ops, key, e)].map(bytes);
  switch (e.type) {
    case 'string':
    case 'list':
      for (const w of words) mix(digest, w);
      break;
    case 'set':
      for (const w of words) xor(digest, w);
      break;
    case 'hash':
    case 'zset':
      // HSET field value … / ZADD score member …: each pair digested alone, then xored in.
      for (let i = 0; i + 1 < words.length; i += 2) {
        const el = Buffer.alloc(20);
        if (e.type === 'hash') {
          mix(el, words[i]);
          mix(el, words[i + 1]);
        } else {
          mix(el, words[i + 1]);
          mix(el, Buffer.from(formatG17(Number(words[i].toString('latin1').replace(/^(-?)inf$/, '$1Infinity')))));
        }
        xor(digest, el);
      }
      break;
  }
  if (db.expires.has(key)) xor(digest, Buffer.from('!!expire!!'));
}

/** DEBUG DIGEST: 40 hex digits, all zeros for an empty dataset. */
export function datasetDigest(ops: TypeOpsTable, dbs: readonly Db[]): string {
  const final = Buffer.alloc(20);
  for (const db of dbs) {
    if (db.size === 0) continue;
    const aux = Buffer.alloc(4);
    aux.writeUInt32BE(db.index);
    mix(final, aux);
    for (const [key, e] of db.dict) {
      const d = Buffer.alloc(20);
      mix(d, Buffer.from(key, 'latin1'));
      valueDigest(ops, db, key, e, d);
      xor(final, d);
    }
  }
  return final.toString('hex');
}

/** DEBUG DIGEST-VALUE: one value's digest (zeros when the key does not exist). */
export function keyDigest(ops: TypeOpsTable, db: Db, key: string): string {
  const d = Buffer.alloc(20);
  const e = db.dict.get(key);
  if (e !== undefined) valueDigest(ops, db, key, e, d);
  return d.toString('hex');
}
