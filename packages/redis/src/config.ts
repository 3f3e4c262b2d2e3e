/**
 * Server settings: defaults, command-line flags, redis.conf-style files and CONFIG GET/SET.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { splitArgs } from './parser';

/** The settings nevio-redis has, with Redis's names. */
export interface Config {
  port: number;
  bind: string[];
  unixsocket: string;
  requirepass: string;
  appendonly: boolean;
  appendfsync: 'always' | 'everysec' | 'no';
  appendfilename: string;
  dir: string;
  databases: number;
  multicore: boolean;
  maxmemory: number;
  'maxmemory-policy': 'noeviction' | 'allkeys-lru';
  'proto-max-bulk-len': number;
  'client-query-buffer-limit': number;
  hz: number;
  maxclients: number;
  timeout: number;
  save: string;
  'aof-load-truncated': boolean;
}

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
  };
}

/** Parses Redis memory units: `100`, `1k` (1000), `1kb` (1024), `5mb`, `1gb`. */
export function parseMemory(s: string): number | undefined {
  const m = /^(\d+)(k|kb|m|mb|g|gb|b)?$/i.exec(s.trim());
  if (m === null) return undefined;
  const units: Record<string, number> = { b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  return Number(m[1]) * (m[2] ? units[m[2].toLowerCase()] : 1);
}

function yesNo(v: string): boolean | undefined {
  const l = v.toLowerCase();
  return l === 'yes' ? true : l === 'no' ? false : undefined;
}

/** Settings whose change at run time nevio cannot apply (CONFIG SET refuses them). */
const IMMUTABLE = new Set(['port', 'bind', 'unixsocket', 'databases', 'multicore', 'dir']);

/**
 * Applies one setting given as text. Returns an error message (without the `ERR` prefix) or
 * undefined. `startup` allows the settings that cannot change at run time.
 */
export function applySetting(cfg: Config, rawName: string, values: string[], startup: boolean): string | undefined {
  const name = rawName.toLowerCase();
  if (!(name in cfg)) return `Unknown option or number of arguments for CONFIG SET - '${rawName}'`;
  if (!startup && IMMUTABLE.has(name)) return `CONFIG SET failed (possibly related to argument '${rawName}') - can't set immutable config`;
  const v = values.join(' ');
  const bad = `CONFIG SET failed (possibly related to argument '${rawName}') - argument couldn't be parsed into an integer`;
  const badArg = `CONFIG SET failed (possibly related to argument '${rawName}') - argument(s) must be one of the following: `;
  switch (name) {
    case 'bind':
      cfg.bind = values.flatMap((x) => x.split(/\s+/)).filter((x) => x !== '');
      return undefined;
    case 'appendonly':
    case 'multicore':
    case 'aof-load-truncated': {
      const b = yesNo(v);
      if (b === undefined) return `${badArg}yes, no`;
      (cfg as unknown as Record<string, boolean>)[name] = b;
      return undefined;
    }
    case 'appendfsync':
      if (v !== 'always' && v !== 'everysec' && v !== 'no') return `${badArg}always, everysec, no`;
      cfg.appendfsync = v;
      return undefined;
    case 'maxmemory-policy':
      if (v !== 'noeviction' && v !== 'allkeys-lru') return `${badArg}noeviction, allkeys-lru`;
      cfg['maxmemory-policy'] = v;
      return undefined;
    case 'maxmemory':
    case 'proto-max-bulk-len':
    case 'client-query-buffer-limit': {
      const n = parseMemory(v);
      if (n === undefined) return bad;
      (cfg as unknown as Record<string, number>)[name] = n;
      return undefined;
    }
    case 'port':
    case 'databases':
    case 'hz':
    case 'maxclients':
    case 'timeout': {
      if (!/^\d+$/.test(v)) return bad;
      const n = Number(v);
      if (name === 'databases' && (n < 1 || n > 1_000_000)) return bad;
      (cfg as unknown as Record<string, number>)[name] = n;
      return undefined;
    }
    default:
      (cfg as unknown as Record<string, string>)[name] = v;
      return undefined;
  }
}

/** The text form of a setting, as CONFIG GET shows it. */
export function showSetting(cfg: Config, name: keyof Config): string {
  const v = cfg[name];
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.join(' ');
  return String(v);
}

/** Reads a redis.conf-style file: one `name value…` per line, `#` comments. */
export function readConfigFile(cfg: Config, path: string): void {
  const text = readFileSync(path);
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    let end = text.indexOf(10, start);
    if (end < 0) end = text.length;
    lineNo++;
    const args = splitArgs(text, start, end);
    start = end + 1;
    if (args === null) throw new Error(`${path}:${lineNo}: unbalanced quotes`);
    if (args.length === 0 || args[0][0] === 0x23) continue;
    const err = applySetting(cfg, args[0].toString(), args.slice(1).map((a) => a.toString()), true);
    if (err !== undefined) throw new Error(`${path}:${lineNo}: ${err}`);
  }
}

/**
 * Parses the command line: an optional config file first, then `--name value…` flags (a flag
 * without a value, like `--multicore`, means yes).
 */
export function parseArgs(argv: string[]): Config {
  const cfg = defaultConfig();
  let i = 0;
  if (argv.length > 0 && !argv[0].startsWith('--')) readConfigFile(cfg, argv[i++]);
  while (i < argv.length) {
    const flag = argv[i++];
    if (!flag.startsWith('--')) throw new Error(`unexpected argument '${flag}'`);
    const values: string[] = [];
    while (i < argv.length && !argv[i].startsWith('--')) values.push(argv[i++]);
    if (values.length === 0) values.push('yes');
    const err = applySetting(cfg, flag.slice(2), values, true);
    if (err !== undefined) throw new Error(`${flag}: ${err}`);
  }
  return cfg;
}
