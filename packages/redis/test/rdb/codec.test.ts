// The RDB codec's pieces on their own: LZF both ways, CRC64, listpacks, the file writer and
// reader (also fed a byte at a time, as a replica's full sync feeds it), and hostile input:
// every truncation and every single-byte change of a file is an RdbFormatError or loads,
// never another exception or a hang.
import { Crc64, crc64 } from '../../src/crc64';
import { defaultConfig } from '../../src/config';
import { RdbFileWriter } from '../../src/rdb/file-write';
import { RdbStreamLoader, loadRdb, type RdbSink } from '../../src/rdb/file-read';
import { ListpackBuilder, listpackElements } from '../../src/rdb/listpack';
import { lzfCompress, lzfDecompress } from '../../src/rdb/lzf';
import type { LoadedValue } from '../../src/rdb/object-read';
import { RdbFormatError } from '../../src/rdb/reader';
import { Deque, RedisHash, RedisSet, RedisZSet } from '../../src/types';

const config = defaultConfig();
const loadOptions = { limits: config, verifyChecksum: true, maxDb: 15 };

function bytes(n: number, seed: number, alphabet = 256): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = (x >>> 16) % alphabet;
  }
  return b;
}

test('crc64 matches Redis test vector, in one piece or several', () => {
  expect(crc64(Buffer.from('123456789'))).toBe(0xe9c6d914c4b8d9can);
  expect(new Crc64().update(Buffer.from('1234')).update(Buffer.from('56789')).value).toBe(0xe9c6d914c4b8d9can);
});

test('LZF round-trips every kind of input and refuses to grow', () => {
  for (const [n, alphabet] of [[100, 2], [300, 4], [1000, 16], [5000, 256], [70000, 3]] as const) {
    const input = bytes(n, n, alphabet);
    const packed = lzfCompress(input, n - 4);
    if (alphabet === 256) expect(packed).toBeNull();
    else {
      expect(packed).not.toBeNull();
      expect(lzfDecompress(packed as Buffer, n)?.equals(input)).toBe(true);
    }
  }
  const runs = Buffer.from('a'.repeat(10000));
  const packed = lzfCompress(runs, runs.length - 4) as Buffer;
  expect(packed.length).toBeLessThan(200);
  expect(lzfDecompress(packed, runs.length)?.equals(runs)).toBe(true);
});

test('LZF decompression of garbage never reads or writes out of bounds', () => {
  for (let seed = 1; seed < 300; seed++) {
    const junk = bytes(1 + (seed % 40), seed);
    const out = lzfDecompress(junk, seed % 60);
    if (out !== null) expect(out.length).toBe(seed % 60);
  }
});

test('listpack encoding round-trips strings and every integer width', () => {
  const values = ['0', '127', '128', '-1', '-4096', '4095', '4096', '-32768', '32767', '8388607', '-8388608', '2147483647', '-2147483648', '9223372036854775807', '-9223372036854775808', '01', '-0', 'text', '', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(4095), 'w'.repeat(4096)];
  const lp = new ListpackBuilder();
  for (const v of values) lp.append(Buffer.from(v, 'latin1'));
  const blob = lp.finish();
  expect(blob.length).toBe(lp.size);
  expect(listpackElements(blob).map((b) => b.toString('latin1'))).toEqual(values);
  // A corrupted backlen or count is caught.
  const bad = Buffer.from(blob);
  bad[4] ^= 1;
  expect(() => listpackElements(bad)).toThrow(RdbFormatError);
});

/** A file with one key of every type in db 0 and an expiring key in db 2. */
function sampleFile(compress: boolean): Buffer {
  const w = new RdbFileWriter({ compress, checksum: true, listFill: -2 });
  w.begin({ redisVersion: '7.0.15', ctime: 1700000000, usedMemory: 1000, aofBase: false });
  w.database(0, 5, 0);
  w.entry('s', 'string', Buffer.from('value '.repeat(20)));
  const list = new Deque<Buffer>();
  for (let i = 0; i < 2000; i++) list.pushBack(Buffer.from(`e${i}`));
  w.entry('l', 'list', list);
  const set = new RedisSet();
  for (const m of ['1', '2', 'x']) set.add(m, config);
  w.entry('set', 'set', set);
  const hash = new RedisHash();
  hash.set('f', Buffer.from('v'), config);
  w.entry('h', 'hash', hash);
  const z = new RedisZSet(config);
  z.set('a', 1.5);
  w.entry('z', 'zset', z, { idleSeconds: 10 });
  w.database(2, 1, 1);
  w.entry('t', 'string', Buffer.from('12'), { expireAt: 4102444800000 });
  w.end();
  return Buffer.concat([w.take()]);
}

interface Collected {
  keys: string[];
  values: LoadedValue[];
}

function collector(): { sink: RdbSink; got: Collected } {
  const got: Collected = { keys: [], values: [] };
  return {
    got,
    sink: {
      entry(db, key, value, meta) {
        got.keys.push(`${db}/${key}/${meta.expireAt ?? ''}/${meta.idleSeconds ?? ''}`);
        got.values.push(value);
      },
    },
  };
}

test('the file writer and reader agree, whole or fed a byte at a time', () => {
  for (const compress of [true, false]) {
    const file = sampleFile(compress);
    const whole = collector();
    loadRdb(file, whole.sink, loadOptions);
    expect(whole.got.keys).toEqual(['0/s//', '0/l//', '0/set//', '0/h//', '0/z//10', '2/t/4102444800000/']);
    const streamed = collector();
    const loader = new RdbStreamLoader(streamed.sink, loadOptions);
    for (let i = 0; i < file.length; i++) loader.push(file.subarray(i, i + 1));
    // Parsing waits for twice the bytes of a record it could not finish; end() parses the rest.
    loader.end();
    expect(loader.finished).toBe(true);
    expect(streamed.got.keys).toEqual(whole.got.keys);
    expect((streamed.got.values[1].value as Deque<Buffer>).length).toBe(2000);
  }
});

test('every truncation and every byte flip of a file fails cleanly or loads', () => {
  const file = sampleFile(true);
  for (let cut = 0; cut < file.length; cut += 7) {
    expect(() => loadRdb(file.subarray(0, cut), collector().sink, loadOptions)).toThrow(RdbFormatError);
  }
  const unchecked = { ...loadOptions, verifyChecksum: false };
  for (let at = 9; at < file.length - 8; at += 3) {
    const bad = Buffer.from(file);
    bad[at] ^= 0x5a;
    try {
      loadRdb(bad, collector().sink, unchecked);
    } catch (e) {
      expect(e).toBeInstanceOf(RdbFormatError);
    }
    // With the checksum on, a flip is always caught.
    expect(() => loadRdb(bad, collector().sink, loadOptions)).toThrow(RdbFormatError);
  }
});

test('a hostile element count fails at once instead of looping', () => {
  const w = new RdbFileWriter({ compress: false, checksum: false, listFill: -2 });
  w.begin({ redisVersion: '7.0.15', ctime: 0, usedMemory: 0, aofBase: false });
  const head = w.take();
  // A plain list (type 1) claiming 2^32-1 elements, then nothing.
  const body = Buffer.from([1, 1, 0x6b, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
  const started = Date.now();
  expect(() => loadRdb(Buffer.concat([head, body]), collector().sink, { ...loadOptions, verifyChecksum: false })).toThrow(RdbFormatError);
  expect(Date.now() - started).toBeLessThan(5000);
});
