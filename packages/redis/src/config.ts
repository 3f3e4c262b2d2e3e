/**
 * Server settings: defaults, command-line flags, redis.conf-style files and CONFIG GET/SET over
 * the whole parameter table of Redis 7.0 (`config-table.ts`).
 *
 * Each parameter is one of three things (docs/redis.md lists them):
 * - honoured: a typed field of {@link Config} the server follows;
 * - stored: accepted, checked as Redis checks it and shown by CONFIG GET, but without effect,
 *   where that is harmless (rdbcompression, io-threads, tcp-keepalive, …);
 * - refused: a value other than what nevio does is an error naming the parameter as
 *   unsupported, where ignoring it would lose data or weaken security ({@link unsupported}).
 *
 * @packageDocumentation
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { PARAMS, IMMUTABLE, PROTECTED, HIDDEN, type ParamSpec } from './config-table';
import { clientRoom } from './fd-limit';
import { INVALID_EVENT_CLASS, formatKeyspaceEvents, keyspaceEventLetters, parseKeyspaceEvents } from './notify';

/** The eviction policies nevio implements. */
/** `maxmemory-policy`: every policy of Redis 7.0 (see `evict.ts`). */
export type EvictionPolicy = 'noeviction' | 'allkeys-lru' | 'allkeys-lfu' | 'allkeys-random' | 'volatile-lru' | 'volatile-lfu' | 'volatile-random' | 'volatile-ttl';

const EVICTION_POLICIES: readonly string[] = ['noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'];

function isEvictionPolicy(text: string): text is EvictionPolicy {
  return EVICTION_POLICIES.includes(text);
}
/** `enable-debug-command` / `enable-protected-configs`: never, always, or from loopback only. */
export type ProtectedAction = 'no' | 'yes' | 'local';

/** Numeric settings nevio follows (Redis's names). */
const NUMBER_FIELDS = [
  'port', 'databases', 'maxmemory', 'proto-max-bulk-len', 'client-query-buffer-limit', 'hz', 'maxclients', 'timeout',
  'hash-max-listpack-entries', 'hash-max-listpack-value', 'set-max-intset-entries', 'zset-max-listpack-entries',
  'zset-max-listpack-value', 'list-max-listpack-size', 'list-compress-depth', 'stream-node-max-entries',
  'stream-node-max-bytes', 'hll-sparse-max-bytes', 'slowlog-log-slower-than', 'slowlog-max-len',
  'latency-monitor-threshold', 'busy-reply-threshold',
] as const;
const BOOL_FIELDS = ['appendonly', 'aof-load-truncated', 'multicore', 'rdbcompression', 'rdbchecksum', 'latency-tracking'] as const;
const STRING_FIELDS = ['unixsocket', 'requirepass', 'appendfilename', 'dir', 'save', 'dbfilename'] as const;
type NumberField = (typeof NUMBER_FIELDS)[number];
type BoolField = (typeof BOOL_FIELDS)[number];
type StringField = (typeof STRING_FIELDS)[number];

/** The settings nevio-redis follows, with Redis's names, typed. */
export type Config = Record<NumberField, number> &
  Record<BoolField, boolean> &
  Record<StringField, string> & {
    bind: string[];
    appendfsync: 'always' | 'everysec' | 'no';
    'maxmemory-policy': EvictionPolicy;
    'enable-debug-command': ProtectedAction;
    'enable-protected-configs': ProtectedAction;
    /** The other parameters' values (CONFIG GET text), when set to something else than the default. */
    stored?: Map<string, string>;
    /** The config file read at startup (CONFIG REWRITE writes it back). */
    configFile?: string;
    /** The `user` lines of the config file, each one's words after `user` (the ACL module applies them). */
    users?: string[][];
  };

/** nevio's defaults: Redis's, except bind (loopback), save (no RDB) and dir (the working directory). */
export function defaultConfig(): Config {
  return {
    port: 6379,
    bind: ['127.0.0.1'],
    unixsocket: '',
    requirepass: '',
    appendonly: false,
    appendfsync: 'everysec',
    appendfilename: 'appendonly.aof',
    dir: process.cwd(),
    databases: 16,
    multicore: false,
    maxmemory: 0,
    'maxmemory-policy': 'noeviction',
    'proto-max-bulk-len': 512 * 1024 * 1024,
    'client-query-buffer-limit': 1024 * 1024 * 1024,
    hz: 10,
    maxclients: 10000,
    timeout: 0,
    save: '',
    'aof-load-truncated': true,
    rdbcompression: true,
    rdbchecksum: true,
    'latency-tracking': true,
    dbfilename: 'dump.rdb',
    'hash-max-listpack-entries': 512,
    'hash-max-listpack-value': 64,
    'set-max-intset-entries': 512,
    'zset-max-listpack-entries': 128,
    'zset-max-listpack-value': 64,
    'list-max-listpack-size': -2,
    'list-compress-depth': 0,
    'stream-node-max-entries': 100,
    'stream-node-max-bytes': 4096,
    'hll-sparse-max-bytes': 3000,
    'slowlog-log-slower-than': 10000,
    'slowlog-max-len': 128,
    'latency-monitor-threshold': 0,
    'busy-reply-threshold': 5000,
    'enable-debug-command': 'no',
    'enable-protected-configs': 'no',
  };
}

/** nevio's own parameters (not Redis's): startup only. */
const NEVIO_PARAMS: readonly ParamSpec[] = [{ kind: 'bool', name: 'multicore', flags: 0, dflt: 'no' }];

const BY_NAME = new Map<string, ParamSpec>();
for (const spec of [...PARAMS, ...NEVIO_PARAMS]) {
  BY_NAME.set(spec.name, spec);
  if (spec.alias !== undefined) BY_NAME.set(spec.alias, spec);
}

/** The parameter called `name` (or an alias of it), case-insensitively. */
export function lookupParam(name: string): ParamSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Every name CONFIG GET patterns match (aliases included, hidden ones not), with its parameter. */
export function* paramNames(): IterableIterator<readonly [name: string, spec: ParamSpec]> {
  for (const [name, spec] of BY_NAME) if ((spec.flags & HIDDEN) === 0) yield [name, spec];
}

/** Every parameter, in Redis's order (CONFIG REWRITE). */
export const ALL_PARAMS: readonly ParamSpec[] = [...PARAMS, ...NEVIO_PARAMS];

const UNITS: Record<string, bigint> = { b: 1n, k: 1000n, kb: 1024n, m: 1000n ** 2n, mb: 1024n ** 2n, g: 1000n ** 3n, gb: 1024n ** 3n };
const U64_MAX = (1n << 64n) - 1n;

/** Redis's memtoull: `100`, `1k` (1000), `1kb` (1024), `5mb`, `1gb`; undefined when malformed. */
function memoryBig(s: string): bigint | undefined {
  const m = /^(\d+)(k|kb|m|mb|g|gb|b)?$/i.exec(s);
  if (m === null) return undefined;
  const n = BigInt(m[1]) * (m[2] ? UNITS[m[2].toLowerCase()] : 1n);
  return n > U64_MAX ? undefined : n;
}

/** Parses Redis memory units: `100`, `1k` (1000), `1kb` (1024), `5mb`, `1gb`. */
export function parseMemory(s: string): number | undefined {
  const n = memoryBig(s.trim());
  return n === undefined ? undefined : Number(n);
}

const INT_RE = /^-?(0|[1-9]\d*)$/;

/** Parses and bounds-checks a numeric value; returns the canonical text or an error. */
function numeric(spec: ParamSpec, v: string): { text: string } | { err: string } {
  let n: bigint | undefined;
  let percent = false;
  if (spec.kind === 'memory' || spec.kind === 'percent') {
    n = memoryBig(v);
    if (n === undefined && spec.kind === 'percent' && v.length > 1 && v.endsWith('%') && /^\d+$/.test(v.slice(0, -1))) {
      n = -BigInt(v.slice(0, -1));
      percent = true;
    }
    if (n === undefined) return { err: spec.kind === 'percent' ? 'argument must be a memory or percent value' : 'argument must be a memory value' };
  } else if (spec.kind === 'octal') {
    if (!/^[0-7]+$/.test(v)) return { err: "argument couldn't be parsed as an octal number" };
    n = BigInt(`0o${v}`);
  } else {
    if (!INT_RE.test(v) || BigInt(v) > 2n ** 63n - 1n || BigInt(v) < -(2n ** 63n)) return { err: "argument couldn't be parsed into an integer" };
    n = BigInt(v);
  }
  const min = spec.min ?? 0n;
  const max = spec.max ?? 0n;
  if (percent) {
    if (n < min) return { err: `percentage argument must be less or equal to ${-min}` };
    return { text: `${-n}%` };
  }
  // Unsigned C types compare the value as unsigned: a negative one is a huge number there.
  const cmp = spec.unsigned === true && n < 0n ? n + (1n << 64n) : n;
  if (cmp < min || cmp > max) {
    const show = (b: bigint): string => (spec.kind === 'octal' ? b.toString(8) : String(b));
    return { err: `argument must be between ${show(min)} and ${show(max)} inclusive` };
  }
  return { text: spec.kind === 'octal' ? n.toString(8) : String(n) };
}

/** Checks a special parameter's value (Redis's own setter's rules); returns the canonical text or an error. */
function special(name: string, values: string[], current: string): { text: string } | { err: string } {
  const words = values.flatMap((x) => x.split(' ')).filter((x) => x !== '');
  switch (name) {
    case 'save':
      if (words.length % 2 !== 0) return { err: 'Invalid save parameters' };
      for (const w of words) if (!/^\d+$/.test(w)) return { err: 'Invalid save parameters' };
      return { text: words.join(' ') };
    case 'client-output-buffer-limit': {
      if (words.length % 4 !== 0) return { err: 'Wrong number of arguments in buffer limit configuration.' };
      // Each line (or CONFIG SET) changes only the classes it names, as in Redis.
      const now = current.split(' ');
      const limits = new Map<string, string>(CLIENT_CLASSES.map((c, i) => [c, now.length === 12 ? now.slice(i * 4 + 1, i * 4 + 4).join(' ') : DEFAULT_COB[i]]));
      for (let i = 0; i < words.length; i += 4) {
        const cls = words[i].toLowerCase() === 'replica' ? 'slave' : words[i].toLowerCase();
        if (!limits.has(cls)) return { err: 'Invalid client class specified in buffer limit configuration.' };
        const hard = memoryBig(words[i + 1]);
        const soft = memoryBig(words[i + 2]);
        if (hard === undefined || soft === undefined || !/^\d+$/.test(words[i + 3])) return { err: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.' };
        limits.set(cls, `${hard} ${soft} ${words[i + 3]}`);
      }
      return { text: CLIENT_CLASSES.map((c) => `${c} ${limits.get(c)}`).join(' ') };
    }
    case 'oom-score-adj-values':
      if (words.length !== 3) return { err: 'wrong number of arguments' };
      for (const w of words) if (!INT_RE.test(w) || Math.abs(Number(w)) > 2000) return { err: 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.' };
      return { text: words.join(' ') };
    case 'notify-keyspace-events': {
      if (values.length !== 1) return { err: 'wrong number of arguments' };
      const flags = parseKeyspaceEvents(values[0]);
      return flags === undefined ? { err: INVALID_EVENT_CLASS } : { text: keyspaceEventLetters(flags) };
    }
    case 'replicaof':
      if (words.length !== 2) return { err: 'wrong number of arguments' };
      if (words[0].toLowerCase() === 'no' && words[1].toLowerCase() === 'one') return { text: '' };
      if (!/^\d+$/.test(words[1]) || Number(words[1]) > 65535) return { err: 'Invalid master port' };
      return { text: `${words[0]} ${words[1]}` };
    case 'latency-tracking-info-percentiles':
      for (const w of words) {
        const d = Number(w);
        if (w === '' || Number.isNaN(d)) return { err: 'Invalid latency-tracking-info-percentiles parameters' };
        if (d < 0 || d > 100) return { err: 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]' };
      }
      // Shown as Redis prints them: "%f" without its trailing zeros (0.0 50.0 100.0 -> 0 50 100).
      return { text: words.map((w) => Number(w).toFixed(6).replace(/\.?0+$/, '')).join(' ') };
    case 'bind':
      if (words.length > 16) return { err: 'Too many bind addresses specified.' };
      return { text: words.join(' ') };
    default:
      // dir: Redis chdirs there and fails as chdir fails; nevio keeps the absolute path.
      if (values.length !== 1) return { err: 'wrong number of arguments' };
      return directoryError(values[0]) ?? { text: path.resolve(values[0]) };
  }
}

/** strerror of what chdir(`dir`) would fail with, as Redis reports a bad `dir`; undefined when it is a directory. */
function directoryError(dir: string): { err: string } | undefined {
  try {
    if (statSync(dir).isDirectory()) return undefined;
    return { err: 'Not a directory' };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { err: code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : String(code) };
  }
}

/** The client classes of client-output-buffer-limit, named as CONFIG GET shows them (`replica` is accepted too). */
const CLIENT_CLASSES = ['normal', 'slave', 'pubsub'] as const;
const DEFAULT_COB = ['0 0 0', '268435456 67108864 60', '33554432 8388608 60'];

/**
 * Why nevio refuses `text` for parameter `name`: it does not do what the value asks, and
 * ignoring it would lose data or weaken security. Undefined when the value is accepted.
 */
function unsupported(name: string, text: string): string | undefined {
  switch (name) {
    case 'cluster-enabled':
      return text === 'no' ? undefined : 'there is no cluster mode';
    case 'unixsocketperm':
      return text === '0' ? undefined : 'the unix socket permissions would not be applied';
    // TLS is served (tls.ts) from tls-ca-cert-file; a CA directory would go unread, and client
    // certificates would not be verified as asked.
    case 'tls-ca-cert-dir':
      return text === '' ? undefined : 'use tls-ca-cert-file: a CA directory is not read, so client certificates would not be verified';
    case 'tls-dh-params-file':
      return text === '' ? undefined : 'DH parameters are not loaded (ECDHE key exchange is used)';
    default:
      return undefined;
  }
}

/** The text form of a value of `spec` given as words, checked as Redis checks it. */
function canonical(spec: ParamSpec, values: string[], current: string): { text: string } | { err: string } {
  const v = values.join(' ');
  switch (spec.kind) {
    case 'bool': {
      const l = v.toLowerCase();
      return l === 'yes' || l === 'no' ? { text: l } : { err: "argument must be 'yes' or 'no'" };
    }
    case 'string':
      return { text: v };
    case 'enum': {
      // Multi-word enums (shutdown-on-sigterm "nosave now") check every word.
      const words = v.toLowerCase().split(' ').filter((x) => x !== '');
      if (words.length === 0 || words.some((w) => !spec.values.includes(w))) return { err: `argument(s) must be one of the following: ${spec.values.join(', ')}` };
      return { text: words.join(' ') };
    }
    case 'special':
      return special(spec.name, values, current);
    default:
      return numeric(spec, v.trim());
  }
}

function isField<T extends string>(list: readonly T[], name: string): name is T {
  return (list as readonly string[]).includes(name);
}

/** Options of {@link applySetting}. */
export interface ApplyOptions {
  /** Startup (command line, config file): the parameters CONFIG SET cannot change are allowed. */
  readonly startup: boolean;
  /** `enable-protected-configs` allows this client to set protected parameters (dir, dbfilename). */
  readonly allowProtected?: boolean;
}

/** Settings whose change at run time nevio cannot apply, beyond Redis's immutable ones. */
const NEVIO_IMMUTABLE = new Set(['bind', 'dir', 'multicore']);

/**
 * Applies one setting given as words. Returns an error message (without the `ERR` prefix) or
 * undefined.
 */
export function applySetting(cfg: Config, rawName: string, values: string[], opts: ApplyOptions | boolean): string | undefined {
  const { startup, allowProtected } = typeof opts === 'boolean' ? { startup: opts, allowProtected: false } : opts;
  const spec = lookupParam(rawName);
  if (spec === undefined) return `Unknown option or number of arguments for CONFIG SET - '${rawName}'`;
  const failed = (why: string): string => `CONFIG SET failed (possibly related to argument '${rawName}') - ${why}`;
  const name = spec.name;
  if (!startup && (spec.flags & IMMUTABLE) !== 0) return failed("can't set immutable config");
  if (!startup && (spec.flags & PROTECTED) !== 0 && allowProtected !== true) return failed("can't set protected config");
  const parsed = canonical(spec, values, showSetting(cfg, name));
  if ('err' in parsed) return failed(parsed.err);
  const text = parsed.text;
  // Setting one of these to the value it has already is a no-op nevio can do (CONFIG sanity checks do it).
  if (!startup && NEVIO_IMMUTABLE.has(name) && text !== showSetting(cfg, name)) return failed("can't set immutable config");
  if (name === 'maxclients' && !startup) {
    const room = clientRoom();
    if (room !== null && Number(text) > room) return failed(`The operating system is not able to handle the specified number of clients, try with ${room}`);
  }
  const refused = unsupported(name, text);
  if (refused !== undefined) return failed(`unsupported by nevio: ${refused}`);
  if (isField(NUMBER_FIELDS, name)) cfg[name] = Number(text);
  else if (isField(BOOL_FIELDS, name)) cfg[name] = text === 'yes';
  else if (isField(STRING_FIELDS, name)) cfg[name] = text;
  else if (name === 'bind') cfg.bind = text.split(' ').filter((x) => x !== '');
  else if (name === 'appendfsync' && (text === 'always' || text === 'everysec' || text === 'no')) cfg.appendfsync = text;
  else if (name === 'maxmemory-policy' && isEvictionPolicy(text)) cfg['maxmemory-policy'] = text;
  else if ((name === 'enable-debug-command' || name === 'enable-protected-configs') && (text === 'no' || text === 'yes' || text === 'local')) cfg[name] = text;
  else {
    cfg.stored ??= new Map();
    if (text === spec.dflt) cfg.stored.delete(name);
    else cfg.stored.set(name, text);
  }
  return undefined;
}

/** The text form of a setting, as CONFIG GET shows it (`name` canonical or an alias). */
export function showSetting(cfg: Readonly<Config>, rawName: string): string {
  const spec = lookupParam(rawName);
  const name = spec?.name ?? rawName;
  if (isField(NUMBER_FIELDS, name)) return String(cfg[name]);
  if (isField(BOOL_FIELDS, name)) return cfg[name] ? 'yes' : 'no';
  if (isField(STRING_FIELDS, name)) return cfg[name];
  switch (name) {
    case 'bind':
      return cfg.bind.join(' ');
    case 'appendfsync':
    case 'maxmemory-policy':
    case 'enable-debug-command':
    case 'enable-protected-configs':
      return cfg[name];
    case 'notify-keyspace-events':
      return formatKeyspaceEvents(keyspaceEventFlags(cfg));
    default:
      return cfg.stored?.get(name) ?? spec?.dflt ?? '';
  }
}

/** The `NOTIFY_*` bits `notify-keyspace-events` enables (all of them, `n` with `A` included). */
export function keyspaceEventFlags(cfg: Readonly<Config>): number {
  return parseKeyspaceEvents(cfg.stored?.get('notify-keyspace-events') ?? '') ?? 0;
}

/** A copy that CONFIG SET can change without touching `cfg` until every setting passed. */
export function cloneConfig(cfg: Readonly<Config>): Config {
  return { ...cfg, bind: [...cfg.bind], stored: new Map(cfg.stored ?? []) };
}
