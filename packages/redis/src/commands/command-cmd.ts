/**
 * COMMAND (Redis 7.0's): the command table with its docs — COMMAND / INFO (flags, key range,
 * ACL categories, key specs, subcommands), COUNT, LIST [FILTERBY], DOCS (argument trees for
 * redis-cli's hints), GETKEYS and GETKEYSANDFLAGS.
 *
 * @packageDocumentation
 */
import { CMD_ADMIN, CMD_BLOCKING, CMD_FAST, CMD_LOADING, CMD_MAY_REPLICATE, CMD_NO_MANDATORY_KEYS, CMD_PUBSUB, CMD_READONLY, CMD_STALE, CMD_WRITE, FLAG_NAMES, NOKEYS, def } from '../command';
import { CommandError, SYNTAX, argIs, arityError, flagNames, globMatch, unknownSubcommand } from '../command';
import type { CommandContext, CommandDef, Reply } from '../command';
import { replyFields, type Field, type Fields } from '../reply-fields';
import { COMMAND_DOCS, type CommandDoc } from './command-docs';
import { commandKeys, hasKeys } from './command-keys';
import type { ArgSpec, KeySpecDoc } from './command-spec';
import { helpReply, subcommandsOf } from './sub';

/** ACL categories in the order Redis lists them (its ACLCommandCategories table). */
export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream',
  'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
] as const;

/** A command or subcommand as COMMAND shows it. */
export interface CommandEntry {
  /** `get`, or `config|get` for a subcommand. */
  readonly name: string;
  readonly arity: number;
  readonly flags: number;
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
  /** Absent: not documented yet (a test lists those). */
  readonly doc: CommandDoc | undefined;
  readonly def: CommandDef | undefined;
  readonly categories: readonly string[];
  readonly subcommands: readonly CommandEntry[];
}

const FLAG_BITS = new Map(FLAG_NAMES.map(([bit, name]) => [name, bit]));

/** Redis's implicit categories: the flags' own, and @slow for what is not @fast. */
function categoriesOf(flags: number, doc: Pick<CommandDoc, 'categories'> | undefined, fallbackGroup: string | undefined): string[] {
  const cats = new Set<string>(doc?.categories ?? (fallbackGroup === undefined ? [] : [fallbackGroup]));
  if ((flags & CMD_WRITE) !== 0) cats.add('write');
  if ((flags & CMD_READONLY) !== 0 && !cats.has('scripting')) cats.add('read');
  if ((flags & CMD_ADMIN) !== 0) cats.add('admin').add('dangerous');
  if ((flags & CMD_PUBSUB) !== 0) cats.add('pubsub');
  if ((flags & CMD_FAST) !== 0) cats.add('fast');
  if ((flags & CMD_BLOCKING) !== 0) cats.add('blocking');
  if (!cats.has('fast')) cats.add('slow');
  return ACL_CATEGORIES.filter((c) => cats.has(c));
}

/** The legacy first/last/step of a subcommand, from its plain index/range key specs. */
function legacyRange(specs: readonly KeySpecDoc[]): [number, number, number] {
  for (const s of specs) {
    if (s.begin.type !== 'index' || s.find.type !== 'range' || s.find.limit !== 0) continue;
    const first = s.begin.index;
    return [first, s.find.lastkey < 0 ? s.find.lastkey : first + s.find.lastkey, s.find.keystep];
  }
  return [0, 0, 0];
}

function subEntries(d: CommandDef, doc: CommandDoc | undefined): CommandEntry[] {
  if (doc === undefined) return [];
  const implemented = subcommandsOf(d.run);
  const out: CommandEntry[] = [];
  for (const [full, sd] of doc.subcommands) {
    const short = full.slice(full.indexOf('|') + 1);
    if (implemented !== undefined && !Object.prototype.hasOwnProperty.call(implemented, short)) continue;
    let flags = 0;
    for (const f of (sd.row.flags ?? '').split(/\s+/)) flags |= FLAG_BITS.get(f) ?? 0;
    const [firstKey, lastKey, step] = legacyRange(sd.keySpecs);
    const arity = sd.row.arity ?? -2;
    out.push({ name: full, arity, flags, firstKey, lastKey, step, doc: sd, def: undefined, categories: categoriesOf(flags, sd, undefined), subcommands: [] });
  }
  return out;
}

const entryCache = new WeakMap<ReadonlyMap<string, CommandDef>, ReadonlyMap<string, CommandEntry>>();

/** The COMMAND view of a command table (built once per table). */
export function commandEntries(table: ReadonlyMap<string, CommandDef>): ReadonlyMap<string, CommandEntry> {
  let entries = entryCache.get(table);
  if (entries !== undefined) return entries;
  const built = new Map<string, CommandEntry>();
  for (const d of table.values()) {
    const doc = COMMAND_DOCS.get(d.name);
    const subcommands = subEntries(d, doc);
    // A container (arity -2: a subcommand is required) shows no flags of its own, as in Redis:
    // its subcommands carry them (the dispatcher still checks the container's flags).
    const container = subcommands.length > 0 && d.arity === -2;
    const flags = container ? 0 : d.flags;
    built.set(d.name, {
      name: d.name,
      arity: d.arity,
      flags,
      firstKey: container ? 0 : d.firstKey,
      lastKey: container ? 0 : d.lastKey,
      step: container ? 0 : d.step,
      doc,
      def: d,
      categories: categoriesOf(flags, container ? { categories: [] } : doc, d.group),
      subcommands,
    });
  }
  entries = built;
  entryCache.set(table, entries);
  return entries;
}

/** Looks up `name` or `container|sub`; undefined when either part is unknown. */
function lookupName(entries: ReadonlyMap<string, CommandEntry>, name: string): CommandEntry | undefined {
  const parts = name.toLowerCase().split('|');
  if (parts.length > 2) return undefined;
  const top = entries.get(parts[0]);
  if (parts.length === 1 || top === undefined) return top;
  return top.subcommands.find((s) => s.name === `${parts[0]}|${parts[1]}`);
}

/** A key spec's begin_search.spec: its index or keyword, empty for `unknown`. */
function beginSpec(b: KeySpecDoc['begin']): Fields {
  if (b.type === 'index') return [['index', 'integer', b.index]];
  if (b.type === 'keyword') return [['keyword', 'bulk', b.keyword], ['startfrom', 'integer', b.startfrom]];
  return [];
}

/** A key spec's find_keys.spec: its range or keynum, empty for `unknown`. */
function findSpec(f: KeySpecDoc['find']): Fields {
  if (f.type === 'range') return [['lastkey', 'integer', f.lastkey], ['keystep', 'integer', f.keystep], ['limit', 'integer', f.limit]];
  if (f.type === 'keynum') return [['keynumidx', 'integer', f.keynumidx], ['firstkey', 'integer', f.firstkey], ['keystep', 'integer', f.keystep]];
  return [];
}

function keySpecFields(s: KeySpecDoc): Fields {
  return [
    ['flags', 'simple-set', s.flags],
    ['begin_search', 'map', [['type', 'bulk', s.begin.type], ['spec', 'map', beginSpec(s.begin)]]],
    ['find_keys', 'map', [['type', 'bulk', s.find.type], ['spec', 'map', findSpec(s.find)]]],
  ];
}

/** COMMAND INFO's 10-element entry. */
function replyInfo(r: Reply, e: CommandEntry): void {
  r.array(10);
  r.bulk(e.name);
  r.integer(e.arity);
  // Redis 7.0 keeps may_replicate (PUBLISH, EVAL) internal: COMMAND INFO does not list it.
  const flags = flagNames(e.flags & ~CMD_MAY_REPLICATE);
  r.set(flags.length);
  for (const f of flags) r.simple(f);
  r.integer(e.firstKey);
  r.integer(e.lastKey);
  r.integer(e.step);
  r.set(e.categories.length);
  for (const c of e.categories) r.simple(`@${c}`);
  const tips = e.doc?.row.tips?.split(/\s+/) ?? [];
  r.set(tips.length);
  for (const t of tips) r.simple(t);
  const specs = e.doc?.keySpecs ?? [];
  r.array(specs.length);
  for (const s of specs) replyFields(r, keySpecFields(s));
  r.array(e.subcommands.length);
  for (const s of e.subcommands) replyInfo(r, s);
}

function argFields(a: ArgSpec): Fields {
  const flags = [a.optional && 'optional', a.multiple && 'multiple', a.multipleToken && 'multiple_token'].filter((f): f is string => f !== false);
  return [
    ['name', 'bulk', a.name],
    ['type', 'bulk', a.type],
    a.keySpecIndex !== undefined ? ['key_spec_index', 'integer', a.keySpecIndex] : undefined,
    a.token !== undefined ? ['token', 'bulk', a.token] : undefined,
    flags.length > 0 ? ['flags', 'simple-set', flags] : undefined,
    a.args !== undefined ? ['arguments', 'map-array', a.args.map(argFields)] : undefined,
  ];
}

/** COMMAND DOCS's map for one command: summary, since, group, complexity, … */
function docFields(e: CommandEntry): Fields {
  const doc = e.doc;
  if (doc === undefined) return [['group', 'bulk', e.def?.group ?? 'server']];
  const row = doc.row;
  const dep = row.deprecated;
  return [
    ['summary', 'bulk', row.summary],
    ['since', 'bulk', row.since],
    ['group', 'bulk', doc.group],
    ['complexity', 'bulk', row.complexity],
    ...(dep !== undefined ? [['doc_flags', 'simple-set', ['deprecated']], ['deprecated_since', 'bulk', dep[0]], ['replaced_by', 'bulk', dep[1]]] as const : []),
    doc.args.length > 0 ? ['arguments', 'map-array', doc.args.map(argFields)] : undefined,
    e.subcommands.length > 0 ? ['subcommands', 'map', e.subcommands.map((s): Field => [s.name, 'map', docFields(s)])] : undefined,
  ];
}

/** Every name COMMAND LIST shows: the commands and, after each container, its subcommands. */
function allNames(entries: ReadonlyMap<string, CommandEntry>): CommandEntry[] {
  const out: CommandEntry[] = [];
  for (const e of entries.values()) out.push(e, ...e.subcommands);
  return out;
}

function list(ctx: CommandContext, argv: Buffer[], entries: ReadonlyMap<string, CommandEntry>): void {
  let matches = allNames(entries);
  if (argv.length !== 2) {
    if (argv.length !== 5 || !argIs(argv[2], 'filterby')) throw new CommandError(SYNTAX);
    const value = argv[4].toString();
    if (argIs(argv[3], 'module')) matches = [];
    else if (argIs(argv[3], 'aclcat')) matches = matches.filter((e) => e.categories.includes(value.toLowerCase()));
    else if (argIs(argv[3], 'pattern')) matches = matches.filter((e) => globMatch(value, e.name, true));
    else throw new CommandError(SYNTAX);
  }
  ctx.reply.array(matches.length);
  for (const e of matches) ctx.reply.bulk(e.name);
}

/** GETKEYS / GETKEYSANDFLAGS: the keys of the command line in argv[2..]. */
function getKeys(ctx: CommandContext, argv: Buffer[], entries: ReadonlyMap<string, CommandEntry>, withFlags: boolean): void {
  const line = argv.slice(2);
  const top = entries.get(line[0].toString().toLowerCase());
  const e = top !== undefined && top.subcommands.length > 0 && line.length >= 2 ? top.subcommands.find((s) => s.name === `${top.name}|${line[1].toString().toLowerCase()}`) : top;
  if (e === undefined) throw new CommandError('ERR Invalid command specified');
  if (!hasKeys(e.name, e.doc, e.def)) throw new CommandError('ERR The command has no key arguments');
  if (e.arity > 0 ? line.length !== e.arity : line.length < -e.arity) throw new CommandError('ERR Invalid number of arguments specified for command');
  const keys = commandKeys(e.name, e.doc, e.def, e.arity, line);
  if (keys === undefined || keys.length === 0) {
    if (keys !== undefined && (e.flags & CMD_NO_MANDATORY_KEYS) !== 0) return ctx.reply.array(0);
    throw new CommandError('ERR Invalid arguments specified for command');
  }
  const r = ctx.reply;
  r.array(keys.length);
  for (const k of keys) {
    if (!withFlags) {
      r.bulk(line[k.pos]);
      continue;
    }
    r.array(2);
    r.bulk(line[k.pos]);
    r.set(k.flags.length);
    for (const f of k.flags) r.simple(f);
  }
}

const HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

/** Subcommand arities, as Redis's command table has them. */
const ARITY: Readonly<Record<string, number>> = { count: 2, list: -2, info: -2, docs: -2, getkeys: -4, getkeysandflags: -4, help: 2 };

const command = (ctx: CommandContext, argv: Buffer[]): void => {
  const entries = commandEntries(ctx.server.commands);
  const r = ctx.reply;
  if (argv.length === 1) {
    r.array(entries.size);
    for (const e of entries.values()) replyInfo(r, e);
    return;
  }
  const sub = argv[1].toString().toLowerCase();
  const arity = Object.prototype.hasOwnProperty.call(ARITY, sub) ? ARITY[sub] : undefined;
  if (arity === undefined) throw new CommandError(unknownSubcommand(argv[1], 'COMMAND'));
  if (arity > 0 ? argv.length !== arity : argv.length < -arity) throw new CommandError(arityError(`command|${sub}`));
  switch (sub) {
    case 'count':
      return r.integer(entries.size);
    case 'list':
      return list(ctx, argv, entries);
    case 'info': {
      const picked = argv.length === 2 ? [...entries.values()] : argv.slice(2).map((a) => lookupName(entries, a.toString()));
      r.array(picked.length);
      for (const e of picked) {
        if (e === undefined) r.nil();
        else replyInfo(r, e);
      }
      return;
    }
    case 'docs': {
      const picked = argv.length === 2 ? [...entries.values()] : argv.slice(2).map((a) => lookupName(entries, a.toString())).filter((e): e is CommandEntry => e !== undefined);
      return replyFields(r, picked.map((e): Field => [e.name, 'map', docFields(e)]));
    }
    case 'getkeys':
    case 'getkeysandflags':
      return getKeys(ctx, argv, entries, sub === 'getkeysandflags');
    default:
      return helpReply(ctx, HELP);
  }
};

export const commandCommands: CommandDef[] = [def('command', -1, CMD_LOADING | CMD_STALE, NOKEYS, 'server', command)];
