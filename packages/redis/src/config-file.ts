/**
 * Reading redis.conf and redis-server's command line the way redis-server 7.0 does
 * (`loadServerConfigFromString` and `main` in its config.c/server.c):
 *
 * - a line is trimmed, then skipped when empty or a `#` comment (so an apostrophe in a comment
 *   is no unbalanced quote), then split as sdssplitargs splits it (quotes, `\xHH` escapes);
 * - a parameter takes one value, or several when it is multi-valued (`save`, `bind`,
 *   `client-output-buffer-limit`, where a single quoted value is split again: `--save "60 1"`);
 * - repeated lines: the last one wins, except `save` (each line adds points, the first replaces
 *   the default), `client-output-buffer-limit` (each sets one class) and `user` (one user each);
 * - `include PATH` reads another file there (wildcards in the file name: every match, sorted);
 * - the command line is the file's continuation: `--port 7000 --save 60 1` are the lines
 *   `port 7000` and `save 60 1`, read after the file, so they win.
 *
 * Errors read like redis-server's FATAL CONFIG FILE ERROR: the line, what was wrong with it.
 * Directives nevio does not have are refused as Redis refuses unknown ones.
 *
 * @packageDocumentation
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { applySetting, defaultConfig, lookupParam, type Config } from './config';
import { MULTI_ARG } from './config-table';
import { globMatch } from './glob';
import { splitArgs } from './parser';

/** A line of the configuration that redis-server would also refuse, with its place. */
export class ConfigFileError extends Error {
  constructor(
    /** Where: `the configuration file /etc/redis.conf, at line 3` or `the command line, at --port`. */
    readonly where: string,
    /** The line as read. */
    readonly line: string,
    /** Why, in Redis's words. */
    readonly reason: string,
  ) {
    super(`\n*** FATAL CONFIG FILE ERROR ***\nReading ${where}\n>>> '${line}'\n${reason}`);
    this.name = 'ConfigFileError';
  }
}

/** Directives of Redis that are not parameters and that nevio refuses, with why. */
const REFUSED_DIRECTIVES: Readonly<Record<string, string>> = {
  'rename-command': 'unsupported by nevio: commands cannot be renamed (the command would stay reachable under its name)',
  loadmodule: 'unsupported by nevio: there are no modules',
};

/** Directives Redis 7.0 still accepts and ignores (its deprecated_configs), with their word count. */
const DEPRECATED = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands']);

/** How deep `include`s may nest: a file including itself would otherwise never end (Redis recurses until it fails). */
const MAX_INCLUDE_DEPTH = 32;

/** Reading state across the lines of one configuration (files, includes, command line). */
interface Reading {
  readonly cfg: Config;
  /** `save` was given already: later lines add points instead of replacing the default. */
  saveSeen: boolean;
  depth: number;
}

/** The files `include` names: the path itself, or every match of a wildcard file name, sorted. */
function includedFiles(pattern: string): string[] {
  const base = path.basename(pattern);
  if (!/[*?[]/.test(base)) return [pattern];
  const dir = path.dirname(pattern);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    // As Redis: a wildcard matching nothing (or in a missing directory) includes nothing.
    return [];
  }
  return names
    .filter((n) => globMatch(base, n))
    .sort()
    .map((n) => path.join(dir, n));
}

/** Applies one directive; returns Redis's error for it, or undefined. */
function directive(r: Reading, args: Buffer[]): string | undefined {
  const name = args[0].toString('latin1').toLowerCase();
  let values = args.slice(1).map((a) => a.toString('latin1'));
  const spec = lookupParam(name);
  if (spec !== undefined) {
    const multi = (spec.flags & MULTI_ARG) !== 0;
    if (!multi && values.length !== 1) return 'wrong number of arguments';
    if (multi && values.length === 1 && values[0] !== '') {
      const split = splitArgs(Buffer.from(values[0], 'latin1'), 0, values[0].length);
      if (split === null) return 'Unbalanced quotes in configuration line';
      values = split.map((a) => a.toString('latin1'));
    }
    if (spec.name === 'save') {
      // The first `save` replaces the default points; later ones add to them; `save ""` clears.
      const clears = values.length === 0 || (values.length === 1 && values[0] === '');
      if (r.saveSeen && !clears && r.cfg.save !== '') values = [r.cfg.save, ...values];
      r.saveSeen = true;
    }
    const err = applySetting(r.cfg, name, values, { startup: true });
    return err === undefined ? undefined : err.replace(/^CONFIG SET failed \(possibly related to argument '[^']*'\) - /, '');
  }
  if (DEPRECATED.has(name) && values.length === 1) return undefined;
  if (name === 'include' && values.length === 1) {
    if (r.depth >= MAX_INCLUDE_DEPTH) return `include nested more than ${MAX_INCLUDE_DEPTH} deep`;
    for (const file of includedFiles(values[0])) readInto(r, file);
    return undefined;
  }
  if (name === 'user' && values.length >= 1) {
    (r.cfg.users ??= []).push(values);
    return undefined;
  }
  const refused = REFUSED_DIRECTIVES[name];
  if (refused !== undefined) return refused;
  if (name === 'sentinel') return values.length === 0 ? undefined : 'sentinel directive while not in sentinel mode';
  if (name.includes('.')) return values.length === 0 ? 'Module config specified without value' : 'unsupported by nevio: there are no modules (module configs)';
  return 'Bad directive or wrong number of arguments';
}

/** Reads configuration text line by line (`source` names it in errors). */
function readText(r: Reading, text: Buffer, source: string): void {
  let start = 0;
  let lineNo = 0;
  while (start <= text.length) {
    let end = text.indexOf(10, start);
    if (end < 0) end = text.length;
    lineNo++;
    let a = start;
    let b = end;
    // sdstrim(" \t\r\n")
    while (a < b && (text[a] === 0x20 || text[a] === 0x09 || text[a] === 0x0d)) a++;
    while (b > a && (text[b - 1] === 0x20 || text[b - 1] === 0x09 || text[b - 1] === 0x0d)) b--;
    start = end + 1;
    if (a === b || text[a] === 0x23) continue;
    const line = text.toString('latin1', a, b);
    const where = `${source}, at line ${lineNo}`;
    const args = splitArgs(text, a, b);
    if (args === null) throw new ConfigFileError(where, line, 'Unbalanced quotes in configuration line');
    if (args.length === 0) continue;
    const err = directive(r, args);
    if (err !== undefined) throw new ConfigFileError(where, line, err);
  }
}

/** Reads one file into the configuration (an `include` too). */
function readInto(r: Reading, file: string): void {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // redis-server: "Fatal error, can't open config file '...': No such file or directory" (exit 1).
    err.message = `Fatal error, can't open config file '${file}': ${err.code === 'ENOENT' ? 'No such file or directory' : err.message}`;
    throw err;
  }
  r.depth++;
  try {
    readText(r, text, `the configuration file ${file}`);
  } finally {
    r.depth--;
  }
}

/** Reads a redis.conf-style file into `cfg` (the command-line parser reads its first argument so). */
export function readConfigFile(cfg: Config, file: string): void {
  readInto({ cfg, saveSeen: false, depth: 0 }, file);
  cfg.configFile = path.resolve(file);
}

/**
 * Parses redis-server's command line: an optional config file first, then `--name value…`
 * groups, each read as the line `name value…` after the file. A flag without a value means
 * `yes` (`--appendonly`), except `--save`, which then means no save points, as in Redis.
 */
export function parseArgs(argv: readonly string[]): Config {
  const cfg = defaultConfig();
  const r: Reading = { cfg, saveSeen: false, depth: 0 };
  let i = 0;
  if (argv.length > 0 && !argv[0].startsWith('-')) {
    readInto(r, argv[i++]);
    cfg.configFile = path.resolve(argv[0]);
  }
  while (i < argv.length) {
    const flag = argv[i++];
    if (!flag.startsWith('--') || flag.length === 2) {
      throw new ConfigFileError(`the command line, at argument ${i}`, flag, "Bad directive or wrong number of arguments: options are '--name value...'");
    }
    // "--port 6380" as one argument is a name and its value, as redis-server splits it.
    const head = splitArgs(Buffer.from(flag.slice(2), 'latin1'), 0, flag.length - 2) ?? [Buffer.from(flag.slice(2), 'latin1')];
    const values: string[] = head.slice(1).map((a) => a.toString('latin1'));
    while (i < argv.length && !argv[i].startsWith('--')) values.push(argv[i++]);
    const name = head[0]?.toString('latin1') ?? '';
    if (values.length === 0) values.push(name.toLowerCase() === 'save' ? '' : 'yes');
    const shown = `${name} ${values.map((v) => (/^[\x21-\x7e]+$/.test(v) && !/["'\\]/.test(v) ? v : JSON.stringify(v))).join(' ')}`;
    const args = [Buffer.from(name, 'latin1'), ...values.map((v) => Buffer.from(v, 'latin1'))];
    const err = directive(r, args);
    if (err !== undefined) throw new ConfigFileError(`the command line, at --${name}`, shown, err);
  }
  return cfg;
}
