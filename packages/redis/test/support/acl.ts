// The ACL tests' differential rig: named connections, each a pair (redis-server, nevio), a
// script of commands run on both, and the decoded replies compared after the normalizations
// that make Redis's nondeterministic output comparable (dict order of single command rules,
// ACL CAT order, ACL LOG ages and client ids).
import { RespConn, type Frame } from './resp';
import { bothServers, type BothServers } from './events';

/** One connection to each server. */
export interface Twin {
  readonly redis: RespConn;
  readonly nevio: RespConn;
}

export async function twin(both: BothServers): Promise<Twin> {
  return { redis: await RespConn.connect(both.real.port), nevio: await RespConn.connect(both.nevio.port) };
}

export function closeTwin(t: Twin): void {
  t.redis.close();
  t.nevio.close();
}

/** A file's ACL rig: both servers and two twins `a` and `b`, opened before its tests, closed after. */
export interface AclRig {
  readonly a: Twin;
  readonly b: Twin;
  /** Runs `script` (see {@link diffScript}) on `a` and `b`, expecting no differences. */
  expectSame(script: string): Promise<void>;
}

export function aclRig(): AclRig {
  const both = bothServers();
  let conns: { readonly a: Twin; readonly b: Twin } | undefined;
  beforeAll(async () => {
    conns = { a: await twin(both), b: await twin(both) };
  });
  afterAll(() => {
    if (conns === undefined) return;
    closeTwin(conns.a);
    closeTwin(conns.b);
  });
  const opened = (): { readonly a: Twin; readonly b: Twin } => {
    if (conns === undefined) throw new Error('aclRig: the twins open in beforeAll');
    return conns;
  };
  return {
    get a() {
      return opened().a;
    },
    get b() {
      return opened().b;
    },
    expectSame: async (script) => {
      expect(await diffScript(opened(), script)).toEqual([]);
    },
  };
}

/**
 * Words of a script line: whitespace separates, double quotes group (`"(+get ~k)"`, `\n` inside
 * them is a newline), `''` is the empty string.
 */
export function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/\\n/g, '\n') : m[2] === "''" ? '' : m[2]);
  return out;
}

/** Command rules with the single commands sorted (Redis lists them in its dict's order). */
function normalRules(rules: string): string {
  const tokens = rules.split(' ');
  const fixed = tokens.filter((t) => !/^[+-][^@]/.test(t));
  const singles = tokens.filter((t) => /^[+-][^@]/.test(t)).sort();
  return [...fixed, ...singles].join(' ');
}

/** client-info reduced to the fields both servers fill alike. */
function normalClientInfo(info: string): string {
  const keep = ['name', 'db', 'flags', 'multi', 'cmd', 'user', 'resp'];
  const fields = new Map(info.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return keep.map((k) => `${k}=${fields.get(k) ?? '?'}`).join(' ');
}

/** How a reply is normalized before comparing (a prefix of the script line selects it). */
export type Mode = 'exact' | 'sorted' | 'rules' | 'log';

function plain(f: Frame, mode: Mode): unknown {
  if (f instanceof Error) return `ERR:${f.message}`;
  // RESP3 maps compare as RESP2's flat arrays.
  if (f instanceof Map) return plain([...f.entries()].flat(), mode);
  if (Array.isArray(f)) {
    const items = f.map((x) => plain(x, mode));
    // Client ids differ between the servers (HELLO's `id`).
    for (let i = 0; i + 1 < items.length; i += 2) if (items[i] === 'id' && typeof items[i + 1] === 'number') items[i + 1] = '<id>';
    if (mode === 'rules' || mode === 'log') {
      // Flat maps (RESP2): fix the values of the fields that vary.
      for (let i = 0; i + 1 < items.length; i += 2) {
        const k = items[i];
        const v = items[i + 1];
        if (k === 'commands' && typeof v === 'string') items[i + 1] = normalRules(v);
        if (k === 'age-seconds') items[i + 1] = '<age>';
        if (k === 'client-info' && typeof v === 'string') items[i + 1] = normalClientInfo(v);
      }
      if (mode === 'rules') return items.map((x) => (typeof x === 'string' && x.startsWith('user ') ? normalUserLine(x) : x));
    }
    return mode === 'sorted' ? items.map((x) => JSON.stringify(x)).sort() : items;
  }
  if (typeof f === 'bigint') return f.toString();
  if (typeof f === 'object' && f !== null && 'push' in f) return { push: f.push.map((x) => plain(x, mode)) };
  if (mode === 'rules' && typeof f === 'string' && f.startsWith('user ')) return normalUserLine(f);
  return f;
}

/** An ACL LIST line with the single command rules of each selector (and of the root) sorted. */
function normalUserLine(line: string): string {
  return line.replace(/[^()]+/g, normalRules);
}

async function next(c: RespConn, ms: number): Promise<Frame | '<closed>' | '<timeout>'> {
  try {
    return await c.read(ms);
  } catch {
    return c.closed ? '<closed>' : '<timeout>';
  }
}

/**
 * Runs `script` on both servers and returns the differences. A line is
 * `[conn:] [sorted|rules|log|send|read] command args…`: `conn` names a twin of `conns` (the
 * first one by default); `send` writes without reading, `read` reads one frame.
 */
export async function diffScript(conns: Readonly<Record<string, Twin>>, script: string, readMs = 2000): Promise<string[]> {
  const names = Object.keys(conns);
  const bad: string[] = [];
  for (const raw of script.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    let w = words(line);
    let conn = names[0];
    if (w[0].endsWith(':') && names.includes(w[0].slice(0, -1))) {
      conn = w[0].slice(0, -1);
      w = w.slice(1);
    }
    let mode: Mode | 'send' | 'read' = 'exact';
    if (['sorted', 'rules', 'log', 'send', 'read'].includes(w[0])) {
      mode = w[0] as Mode | 'send' | 'read';
      w = w.slice(1);
    }
    const t = conns[conn];
    if (mode !== 'read') {
      t.redis.send(...w);
      t.nevio.send(...w);
    }
    if (mode === 'send') continue;
    const shape = mode === 'read' ? 'exact' : mode;
    const [a, b] = await Promise.all([next(t.redis, readMs), next(t.nevio, readMs)]);
    const want = plain(a, shape);
    const got = plain(b, shape);
    if (JSON.stringify(want) !== JSON.stringify(got)) bad.push(`${line}\n   redis: ${JSON.stringify(want)}\n   nevio: ${JSON.stringify(got)}`);
  }
  return bad;
}
