/**
 * The documentation of every Redis 7.0 command, keyed by name (`config|get` for subcommands),
 * kept apart from the command definitions: COMMAND DOCS, COMMAND INFO's ACL categories and key
 * specs, GETKEYSANDFLAGS and COMMAND LIST FILTERBY read it. The rows live in
 * `command-docs-*.ts`, one file per group of families, written in the compact syntax of
 * `command-spec.ts` and parsed once here.
 *
 * A row documents a command whether or not nevio has it yet: COMMAND shows only the commands
 * of the table, and a test fails naming every command of the table without a row.
 *
 * @packageDocumentation
 */
import type { CommandGroup } from '../command';
import { connectionDocs, serverDocs } from './command-docs-server';
import { genericDocs, stringDocs, bitmapDocs } from './command-docs-keys';
import { listDocs, hashDocs, setDocs } from './command-docs-collections';
import { sortedSetDocs, geoDocs, hyperloglogDocs } from './command-docs-zset';
import { streamDocs, pubsubDocs, scriptingDocs, transactionDocs, clusterDocs } from './command-docs-misc';
import type { DocRow } from './command-docs-row';
import { parseArgs, parseKeySpecs, type ArgSpec, type KeySpecDoc } from './command-spec';

export type { DocRow } from './command-docs-row';

/** A row with its syntax parsed. */
export interface CommandDoc {
  readonly name: string;
  readonly group: CommandGroup;
  readonly row: DocRow;
  readonly args: readonly ArgSpec[];
  readonly keySpecs: readonly KeySpecDoc[];
  /** Explicit ACL categories (without `@`). */
  readonly categories: readonly string[];
  /** Subcommand rows by full name (`config|get`), for containers. */
  readonly subcommands: ReadonlyMap<string, CommandDoc>;
}

const GROUP_CATEGORY: Readonly<Record<CommandGroup, string>> = {
  generic: 'keyspace',
  string: 'string',
  list: 'list',
  set: 'set',
  'sorted-set': 'sortedset',
  hash: 'hash',
  pubsub: 'pubsub',
  transactions: 'transaction',
  connection: 'connection',
  server: '',
  scripting: 'scripting',
  hyperloglog: 'hyperloglog',
  cluster: '',
  sentinel: '',
  geo: 'geo',
  stream: 'stream',
  bitmap: 'bitmap',
};

const TABLES: readonly (readonly [CommandGroup, Readonly<Record<string, DocRow>>])[] = [
  ['connection', connectionDocs],
  ['server', serverDocs],
  ['generic', genericDocs],
  ['string', stringDocs],
  ['bitmap', bitmapDocs],
  ['list', listDocs],
  ['hash', hashDocs],
  ['set', setDocs],
  ['sorted-set', sortedSetDocs],
  ['geo', geoDocs],
  ['hyperloglog', hyperloglogDocs],
  ['stream', streamDocs],
  ['pubsub', pubsubDocs],
  ['scripting', scriptingDocs],
  ['transactions', transactionDocs],
  ['cluster', clusterDocs],
];

function build(name: string, group: CommandGroup, row: DocRow, subcommands: ReadonlyMap<string, CommandDoc>): CommandDoc {
  const cats = row.acl !== undefined ? row.acl.split(/\s+/).filter((c) => c !== '') : GROUP_CATEGORY[group] === '' ? [] : [GROUP_CATEGORY[group]];
  return { name, group, row, args: parseArgs(row.args ?? ''), keySpecs: parseKeySpecs(row.keys ?? ''), categories: cats, subcommands };
}

/** Every documented command by lower-case name; subcommands sit under their container. */
function buildDocs(): ReadonlyMap<string, CommandDoc> {
  const subs = new Map<string, Map<string, CommandDoc>>();
  for (const [group, table] of TABLES) {
    for (const [name, row] of Object.entries(table)) {
      const bar = name.indexOf('|');
      if (bar < 0) continue;
      const parent = name.slice(0, bar);
      let m = subs.get(parent);
      if (m === undefined) subs.set(parent, (m = new Map()));
      m.set(name, build(name, group, row, new Map()));
    }
  }
  const docs = new Map<string, CommandDoc>();
  for (const [group, table] of TABLES) {
    for (const [name, row] of Object.entries(table)) {
      if (name.includes('|')) continue;
      if (docs.has(name)) throw new Error(`command docs for '${name}' written twice`);
      docs.set(name, build(name, group, row, subs.get(name) ?? new Map()));
      subs.delete(name);
    }
  }
  for (const parent of subs.keys()) throw new Error(`command docs for subcommands of '${parent}' without the container`);
  return docs;
}

/** The parsed docs of every Redis 7.0 command (built at startup). */
export const COMMAND_DOCS: ReadonlyMap<string, CommandDoc> = buildDocs();
