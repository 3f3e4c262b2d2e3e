// Redis's corrupt-payload tests (tests/integration/corrupt-dump.tcl) replayed against nevio:
// each `test {...}` block's `r ...` commands run in order on a fresh database (its RESTOREs of
// hand-made corrupt payloads, the CONFIG SET and DEBUG lines, the commands after them); the
// server must answer every one (an error or not) and still answer PING afterwards: no crash,
// no hang. Where the Tcl test asserts `Bad data format`, nevio must have answered it too.
// Then a fuzzer as corrupt-dump-fuzzer.tcl does: DUMP keys of every type, change a byte or two,
// RESTORE without the checksum check, and run read commands on whatever was restored.
import { readFileSync } from 'node:fs';
import { removeDir, startNevio, tempDir, type TestServer } from './servers';

const TCL = '/work/shared/redis-tests/tests/integration/corrupt-dump.tcl';

/** Decodes a Tcl double-quoted string's body (\xHH, \n, \r, \t, \\, \", \$, \[, \]). */
function tclString(body: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out.push(c.charCodeAt(0) & 0xff);
      continue;
    }
    const next = body[++i];
    if (next === 'x') {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1))?.[0] ?? '';
      out.push(Number.parseInt(hex || '0', 16));
      i += hex.length;
    } else out.push({ n: 10, r: 13, t: 9 }[next as 'n' | 'r' | 't'] ?? next.charCodeAt(0));
  }
  return Buffer.from(out);
}

/** The words of one Tcl command line: bare words, "quoted" strings and $variables. */
function tclWords(line: string, vars: Map<string, Buffer>): Buffer[] | null {
  const words: Buffer[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|\$(\w+)|([^\s"{}\]]+))/y;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null && m[0].trim() !== '') {
    if (m[1] !== undefined) words.push(tclString(m[1]));
    else if (m[2] !== undefined) {
      const v = vars.get(m[2]);
      if (v === undefined) return null;
      words.push(v);
    } else words.push(Buffer.from(m[3], 'latin1'));
  }
  return words;
}

interface TclCase {
  name: string;
  commands: Buffer[][];
  expectsBadFormat: boolean;
}

function tclCases(): TclCase[] {
  const text = readFileSync(TCL, 'latin1');
  const vars = new Map<string, Buffer>();
  for (const m of text.matchAll(/^set (\w+) "((?:[^"\\]|\\.)*)"/gm)) vars.set(m[1], tclString(m[2]));
  const cases: TclCase[] = [];
  const blocks = text.split(/^test \{/m).slice(1);
  for (const block of blocks) {
    const name = block.slice(0, block.indexOf('}'));
    // Tests that start a server on a file test the file loader (file-interop covers it).
    if (block.includes('exec cp')) continue;
    const commands: Buffer[][] = [];
    for (const m of block.matchAll(/(?:^|[{;\s])r ((?:[^"\n}]|"(?:[^"\\]|\\.)*")+)/g)) {
      const words = tclWords(m[1], vars);
      if (words !== null && words.length > 0) commands.push(words);
    }
    if (commands.length > 0) cases.push({ name, commands, expectsBadFormat: block.includes('*Bad data format*') });
  }
  return cases;
}

let nevio: TestServer;
let dir: string;

beforeAll(async () => {
  dir = tempDir('corrupt');
  nevio = await startNevio(dir);
});

afterAll(async () => {
  await nevio?.stop();
  removeDir(dir);
});

const CASES = tclCases();

test('the Tcl file yields its cases', () => {
  expect(CASES.length).toBeGreaterThan(40);
});

test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
  await nevio.client.flushall();
  await nevio.client.call('config', 'set', 'sanitize-dump-payload', 'no');
  await nevio.client.call('debug', 'set-skip-checksum-validation', '0');
  const answers: string[] = [];
  for (const cmd of c.commands) {
    try {
      answers.push(String(await nevio.client.callBuffer(cmd[0].toString('latin1'), ...cmd.slice(1))));
    } catch (e) {
      answers.push(String(e));
    }
  }
  expect(await nevio.client.ping()).toBe('PONG');
  if (c.expectsBadFormat) expect(answers.some((a) => a.includes('Bad data format'))).toBe(true);
});

describe('fuzzed payloads (corrupt-dump-fuzzer.tcl)', () => {
  test('a thousand corrupted RESTOREs never break the server', async () => {
    const r = nevio.client;
    await r.flushall();
    await r.call('config', 'set', 'list-max-listpack-size', '5');
    await r.call('config', 'set', 'hash-max-listpack-entries', '5');
    await r.call('config', 'set', 'zset-max-listpack-entries', '5');
    await r.call('config', 'set', 'stream-node-max-entries', '5');
    for (const [suffix, n] of [['', 3], ['big', 10]] as const) {
      for (let j = 0; j < n; j++) {
        const val = j % 2 === 0 ? String(j) : `_${j}`;
        await r.hset(`hash${suffix}`, String(j), val);
        await r.lpush(`list${suffix}`, val);
        await r.zadd(`zset${suffix}`, j, val);
        await r.sadd(`set${suffix}`, val);
      }
    }
    await r.incr('int');
    await r.set('string', 'str'.repeat(20));
    const payloads: Buffer[] = [];
    for (const key of await r.keys('*')) payloads.push((await r.dumpBuffer(key)) as Buffer);
    await r.call('debug', 'set-skip-checksum-validation', '1');
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let restored = 0;
    for (let i = 0; i < 1000; i++) {
      const p = Buffer.from(payloads[i % payloads.length]);
      for (let k = rand(10) === 0 ? 2 : 1; k > 0; k--) p[rand(p.length)] = rand(256);
      try {
        await r.restore('fuzz', 0, p, 'REPLACE');
        restored++;
        // Whatever was accepted must be usable.
        const type = await r.type('fuzz');
        const reads: Record<string, string[][]> = {
          string: [['get', 'fuzz'], ['strlen', 'fuzz']],
          list: [['lrange', 'fuzz', '0', '-1'], ['llen', 'fuzz'], ['lpop', 'fuzz']],
          set: [['smembers', 'fuzz'], ['scard', 'fuzz'], ['spop', 'fuzz']],
          hash: [['hgetall', 'fuzz'], ['hlen', 'fuzz']],
          zset: [['zrange', 'fuzz', '0', '-1', 'withscores'], ['zcard', 'fuzz'], ['zpopmin', 'fuzz']],
        };
        for (const cmd of reads[type] ?? []) await r.call(cmd[0], ...cmd.slice(1));
        await r.dumpBuffer('fuzz');
      } catch (e) {
        expect(String(e)).toMatch(/ERR|BUSYKEY|WRONGTYPE/);
      }
    }
    expect(await r.ping()).toBe('PONG');
    // Most corruptions are caught, a few hit bytes that do not matter (the payload's slack).
    expect(restored).toBeLessThan(1000);
    await r.call('debug', 'set-skip-checksum-validation', '0');
  });
});
