// COMMAND against redis-server 7.0: the docs table covers every command of the table, its
// argument trees, key specs and ACL categories are Redis's, COMMAND INFO is Redis's for every
// command nevio has, and GETKEYS/GETKEYSANDFLAGS agree with redis-server on random command lines
// generated from the argument specs (so a wrong key spec or a wrong syntax string shows up).
import Redis from 'ioredis';
import { buildCommandTable } from '../src/commands';
import { COMMAND_DOCS, type CommandDoc } from '../src/commands/command-docs';
import type { ArgSpec } from '../src/commands/command-spec';
import { subcommandsOf } from '../src/commands/sub';
import { defaultConfig } from '../src/config';
import { startRedis, type RunningRedis } from '../src/listen';
import { RealRedis } from './types/harness';
import { generateArgs, plainValues, seeded } from './support/command-lines';

type Resp = string | number | null | Resp[];

jest.setTimeout(120000);

let real: RealRedis;
let nevio: RunningRedis;
let theirs: Redis;
let ours: Redis;

beforeAll(async () => {
  real = await RealRedis.start();
  nevio = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, { warn: () => undefined, error: () => undefined });
  theirs = new Redis(real.port, { lazyConnect: false, maxRetriesPerRequest: 0 });
  ours = new Redis(nevio.port, { lazyConnect: false, maxRetriesPerRequest: 0 });
});

afterAll(async () => {
  theirs?.disconnect();
  ours?.disconnect();
  await nevio?.stop();
  await real?.stop();
});

/** A flat RESP2 map as an object. */
function pairs(list: Resp): Record<string, Resp> {
  const out: Record<string, Resp> = {};
  if (!Array.isArray(list)) return out;
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = list[i + 1];
  return out;
}

/** Redis's argument docs without the prose (summaries, versions) nevio does not keep. */
function normalRedisArgs(list: Resp): unknown[] {
  if (!Array.isArray(list)) return [];
  return list.map((a) => {
    const m = pairs(a);
    const out: Record<string, unknown> = { name: m.name, type: m.type };
    if (m.key_spec_index !== undefined) out.key_spec_index = m.key_spec_index;
    if (m.token !== undefined) out.token = m.token;
    if (Array.isArray(m.flags)) out.flags = m.flags;
    if (m.arguments !== undefined) out.arguments = normalRedisArgs(m.arguments);
    return out;
  });
}

function normalOurArgs(list: readonly ArgSpec[]): unknown[] {
  return list.map((a) => {
    const out: Record<string, unknown> = { name: a.name, type: a.type };
    if (a.keySpecIndex !== undefined) out.key_spec_index = a.keySpecIndex;
    if (a.token !== undefined) out.token = a.token;
    const flags = [a.optional && 'optional', a.multiple && 'multiple', a.multipleToken && 'multiple_token'].filter((f) => f !== false);
    if (flags.length > 0) out.flags = flags;
    if (a.args !== undefined) out.arguments = normalOurArgs(a.args);
    return out;
  });
}

/** A COMMAND INFO entry without tips and key-spec notes (prose nevio does not keep). */
function normalInfo(e: Resp): unknown {
  if (!Array.isArray(e)) return e;
  const specs = Array.isArray(e[8]) ? e[8].map((s) => { const m = pairs(s); delete m.notes; return m; }) : e[8];
  const subs = Array.isArray(e[9]) ? [...e[9]].map(normalInfo).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) : e[9];
  return [e[0], e[1], e[2], e[3], e[4], e[5], e[6], specs, subs];
}

describe('the docs table', () => {
  it('documents every command and subcommand of the command table, with their arities', () => {
    const problems: string[] = [];
    for (const d of buildCommandTable().values()) {
      const doc = COMMAND_DOCS.get(d.name);
      if (doc === undefined) {
        problems.push(`${d.name}: no docs`);
        continue;
      }
      if (doc.group !== d.group) problems.push(`${d.name}: group ${d.group}, docs say ${doc.group}`);
      const subs = subcommandsOf(d.run);
      for (const [name, s] of Object.entries(subs ?? {})) {
        const sd = doc.subcommands.get(`${d.name}|${name}`);
        if (sd === undefined) problems.push(`${d.name}|${name}: no docs`);
        else if (sd.row.arity !== s.arity) problems.push(`${d.name}|${name}: arity ${s.arity}, docs say ${sd.row.arity}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("has redis-server's argument trees for every documented command", async () => {
    const docs = pairs((await theirs.call('command', 'docs')) as Resp);
    const bad: string[] = [];
    const check = (name: string, doc: CommandDoc, theirsDoc: Resp): void => {
      const m = pairs(theirsDoc);
      const want = normalRedisArgs(m.arguments ?? []);
      const got = normalOurArgs(doc.args);
      if (JSON.stringify(want) !== JSON.stringify(got)) bad.push(`${name}\n  redis: ${JSON.stringify(want)}\n  nevio: ${JSON.stringify(got)}`);
      if (m.group !== doc.group) bad.push(`${name}: group ${String(m.group)} vs ${doc.group}`);
      const subs = pairs(m.subcommands ?? []);
      const names = Object.keys(subs).sort();
      // Later versions' subcommands nevio accepts (CLIENT SETINFO of 7.2) are not in 7.0.
      const ourNames = [...doc.subcommands].filter(([, sd]) => sd.row.since < '7.1').map(([n]) => n).sort();
      if (JSON.stringify(names) !== JSON.stringify(ourNames)) bad.push(`${name}: subcommands ${names.join(',')} vs ${ourNames.join(',')}`);
      for (const [sub, sd] of doc.subcommands) if (subs[sub] !== undefined) check(sub, sd, subs[sub]);
    };
    for (const [name, doc] of COMMAND_DOCS) {
      if (docs[name] === undefined) bad.push(`${name}: not a redis 7.0 command`);
      else check(name, doc, docs[name]);
    }
    for (const name of Object.keys(docs)) if (!COMMAND_DOCS.has(name)) bad.push(`${name}: no docs row`);
    expect(bad.join('\n')).toBe('');
  });

  it("answers COMMAND INFO as redis-server for every command nevio has", async () => {
    const names = (await ours.call('command', 'list')) as string[];
    const top = names.filter((n) => !n.includes('|'));
    // Only the subcommands nevio has (the others arrive with their families).
    const has = new Set(names);
    const want = ((await theirs.call('command', 'info', ...top)) as Resp[]).map((e) => (Array.isArray(e) && Array.isArray(e[9]) ? [...e.slice(0, 9), e[9].filter((s) => Array.isArray(s) && has.has(String(s[0])))] : e));
    const theirNames = new Set((await theirs.call('command', 'list')) as string[]);
    const got = ((await ours.call('command', 'info', ...top)) as Resp[]).map((e) => (Array.isArray(e) && Array.isArray(e[9]) ? [...e.slice(0, 9), e[9].filter((s) => Array.isArray(s) && theirNames.has(String(s[0])))] : e));
    const bad: string[] = [];
    top.forEach((name, i) => {
      const w = JSON.stringify(normalInfo(want[i]));
      const g = JSON.stringify(normalInfo(got[i]));
      if (w !== g) bad.push(`${name}\n  redis: ${w}\n  nevio: ${g}`);
    });
    expect(bad.join('\n')).toBe('');
  });
});

async function keysOf(client: Redis, line: string[]): Promise<string> {
  try {
    return JSON.stringify(await client.call('command', 'getkeysandflags', ...line));
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

describe('COMMAND GETKEYS / GETKEYSANDFLAGS', () => {
  it('agree with redis-server on random command lines of every command nevio has', async () => {
    const rnd = seeded(7);
    const bad: string[] = [];
    const names = (await ours.call('command', 'list')) as string[];
    for (const full of names) {
      const [top, sub] = full.split('|');
      const doc = sub === undefined ? COMMAND_DOCS.get(top) : COMMAND_DOCS.get(top)?.subcommands.get(full);
      // Containers are tried through their subcommands; later versions' are not in redis-server 7.0.
      if (doc === undefined || (sub === undefined && doc.subcommands.size > 0) || doc.row.since > '7.1') continue;
      for (let i = 0; i < 8; i++) {
        const line = sub === undefined ? [top] : [top, sub];
        generateArgs(doc.args, rnd, plainValues(rnd), line);
        const [want, got] = [await keysOf(theirs, line), await keysOf(ours, line)];
        if (want !== got) bad.push(`${line.join(' ')}\n  redis: ${want}\n  nevio: ${got}`);
      }
    }
    expect(bad.join('\n')).toBe('');
  });

  it('answer the cases of Redis\'s introspection tests', async () => {
    expect(await ours.call('command', 'getkeysandflags', 'set', 'k1', 'v1')).toEqual([['k1', ['OW', 'update']]]);
    expect(await ours.call('command', 'getkeysandflags', 'set', 'k1', 'v1', 'get')).toEqual([['k1', ['RW', 'access', 'update']]]);
    expect(await ours.call('command', 'getkeysandflags', 'lmove', 'k1', 'k2', 'left', 'right')).toEqual([
      ['k1', ['RW', 'access', 'delete']],
      ['k2', ['RW', 'insert']],
    ]);
    expect(await ours.call('command', 'getkeys', 'sort', 'abc', 'store', 'invalid', 'store', 'def')).toEqual(['abc', 'def']);
    expect(await ours.call('command', 'getkeys', 'memory', 'usage', 'key')).toEqual(['key']);
    const many = Array.from({ length: 260 }, (_, i) => `key${i}`);
    expect(await ours.call('command', 'getkeys', 'sintercard', '260', ...many)).toEqual(many);
    await expect(ours.call('command', 'getkeys', 'get')).rejects.toThrow("ERR wrong number of arguments for 'command|getkeys' command");
    await expect(ours.call('command', 'getkeys', 'get', 'a', 'b')).rejects.toThrow('ERR Invalid number of arguments specified for command');
    await expect(ours.call('command', 'getkeys', 'ping', 'x')).rejects.toThrow('ERR The command has no key arguments');
    await expect(ours.call('command', 'getkeys', 'nosuch', 'x')).rejects.toThrow('ERR Invalid command specified');
    await expect(ours.call('command', 'getkeys', 'sintercard', '9223372036854775807', 'a')).rejects.toThrow('ERR Invalid arguments specified for command');
  });
});

describe('COMMAND LIST / INFO / DOCS', () => {
  it('filters by pattern, ACL category and module like redis-server', async () => {
    const list = (await ours.call('command', 'list')) as string[];
    expect(list).toContain('config|get');
    expect(await ours.call('command', 'list', 'filterby', 'pattern', 'set')).toEqual(['set']);
    const cfg = (await ours.call('command', 'list', 'filterby', 'pattern', 'config|*re*')) as string[];
    expect(cfg.sort()).toEqual(['config|resetstat', 'config|rewrite']);
    const dangerous = (await ours.call('command', 'list', 'filterby', 'aclcat', 'dangerous')) as string[];
    expect(dangerous).toContain('flushall');
    expect(dangerous).not.toContain('get');
    expect(await ours.call('command', 'list', 'filterby', 'module', 'x')).toEqual([]);
    for (const bad of [['bad'], ['filterby', 'bad'], ['filterby', 'bad', 'x']]) await expect(ours.call('command', 'list', ...bad)).rejects.toThrow('ERR syntax error');
  });

  it('answers nil for unknown commands and subcommands, and docs with arguments redis-cli can hint', async () => {
    expect(await ours.call('command', 'info', 'get|key', 'config|get|key', 'nosuch')).toEqual([null, null, null]);
    const docs = pairs((await ours.call('command', 'docs', 'set')) as Resp);
    const set = pairs(docs.set);
    expect(set.summary).toBe('Set the string value of a key');
    expect(normalRedisArgs(set.arguments)[2]).toEqual({ name: 'condition', type: 'oneof', flags: ['optional'], arguments: [{ name: 'nx', type: 'pure-token', token: 'NX' }, { name: 'xx', type: 'pure-token', token: 'XX' }] });
    expect(await ours.call('command', 'count')).toBe(buildCommandTable().size);
  });
});
