/**
 * Which arguments of a command line are keys, and how the command uses them: COMMAND GETKEYS
 * and GETKEYSANDFLAGS (Redis's getKeysFromCommandWithSpecs). The key specs of the docs table
 * answer for most commands; a few whose specs cannot say (variable flags, an unknown STORE
 * position) have a function here, as Redis has its getkeys_proc.
 *
 * @packageDocumentation
 */
import { argIs, parseInt64, type CommandDef } from '../command';
import type { CommandDoc } from './command-docs';
import type { KeySpecDoc } from './command-spec';

/** One key argument: its position in the command line and its key-spec flags. */
export interface KeyRef {
  readonly pos: number;
  readonly flags: readonly string[];
}

const RO_ACCESS = ['RO', 'access'];
const OW_UPDATE = ['OW', 'update'];
const RW_ACCESS_UPDATE = ['RW', 'access', 'update'];
const RW_ACCESS_DELETE = ['RW', 'access', 'delete'];

/** Keys of one spec, or undefined when the command line does not fit it. */
function keysOfSpec(spec: KeySpecDoc, argv: readonly Buffer[], arity: number): KeyRef[] | undefined {
  const argc = argv.length;
  let first = 0;
  const b = spec.begin;
  if (b.type === 'index') first = b.index;
  else if (b.type === 'keyword') {
    const from = b.startfrom > 0 ? b.startfrom : argc + b.startfrom;
    const step = b.startfrom > 0 ? 1 : -1;
    for (let i = from; i >= 1 && i < argc; i += step) {
      if (argIs(argv[i], b.keyword.toLowerCase())) {
        first = i + 1;
        break;
      }
    }
    // Redis skips a keyword spec whose keyword is absent (GEORADIUS without STORE).
    if (first === 0) return [];
  } else return undefined;
  if (spec.flags.includes('incomplete')) return undefined;
  const f = spec.find;
  let last: number;
  let step: number;
  if (f.type === 'range') {
    step = f.keystep;
    if (f.lastkey >= 0) last = first + f.lastkey;
    else if (f.limit === 0) last = argc + f.lastkey;
    else last = first + Math.floor((argc - first) / f.limit) + f.lastkey;
  } else if (f.type === 'keynum') {
    step = f.keystep;
    if (first + f.keynumidx >= argc) return undefined;
    const n = parseInt64(argv[first + f.keynumidx]);
    if (n === undefined || n < 0 || n > argc) return undefined;
    first += f.firstkey;
    last = first + Number(n) - 1;
  } else return undefined;
  if (last < first) return last === first - 1 ? [] : undefined;
  if (last >= argc || first >= argc) return undefined;
  const out: KeyRef[] = [];
  for (let i = first; i <= last; i += step) {
    // A variadic command called with a count that overshoots: no key, its own error follows.
    if (i >= argc && arity < 0) continue;
    out.push({ pos: i, flags: spec.flags });
  }
  return out;
}

/** Keys by the specs, or undefined when one spec does not fit (Redis then asks getkeys_proc). */
export function keysFromSpecs(specs: readonly KeySpecDoc[], argv: readonly Buffer[], arity: number): KeyRef[] | undefined {
  const out: KeyRef[] = [];
  for (const spec of specs) {
    if (spec.flags.includes('not_key')) continue;
    const keys = keysOfSpec(spec, argv, arity);
    if (keys === undefined) return undefined;
    out.push(...keys);
  }
  return out;
}

/** Commands whose key flags depend on the arguments (Redis's setGetKeys, bitfieldGetKeys, sortGetKeys). */
const KEY_FUNCTIONS: Readonly<Record<string, (argv: readonly Buffer[], def: CommandDef | undefined) => KeyRef[]>> = {
  set: (argv) => [{ pos: 1, flags: argv.slice(3).some((a) => argIs(a, 'get')) ? RW_ACCESS_UPDATE : OW_UPDATE }],
  bitfield: (argv) => [{ pos: 1, flags: argv.slice(2).some((a) => argIs(a, 'set') || argIs(a, 'incrby')) ? RW_ACCESS_UPDATE : RO_ACCESS }],
  sort: (argv, def) => (def?.getKeys?.(argv) ?? [1]).map((pos) => ({ pos, flags: pos === 1 ? RO_ACCESS : OW_UPDATE })),
  sort_ro: () => [{ pos: 1, flags: RO_ACCESS }],
  migrate: (argv, def) => (def?.getKeys?.(argv) ?? [3]).map((pos) => ({ pos, flags: RW_ACCESS_DELETE })),
};

/** True when the command has key arguments at all (COMMAND GETKEYS refuses the others). */
export function hasKeys(name: string, doc: CommandDoc | undefined, def: CommandDef | undefined): boolean {
  if (KEY_FUNCTIONS[name] !== undefined) return true;
  if (doc !== undefined) return doc.keySpecs.some((s) => !s.flags.includes('not_key'));
  return def !== undefined && def.firstKey !== 0;
}

/**
 * The keys of `argv` (argv[0] is the command name; for a subcommand argv[1] is its name):
 * undefined when the arguments do not fit the command's key specs.
 */
export function commandKeys(name: string, doc: CommandDoc | undefined, def: CommandDef | undefined, arity: number, argv: readonly Buffer[]): KeyRef[] | undefined {
  const fn = KEY_FUNCTIONS[name];
  const variable = doc !== undefined && doc.keySpecs.some((s) => s.flags.includes('variable_flags'));
  if (doc !== undefined && !variable) {
    const keys = keysFromSpecs(doc.keySpecs, argv, arity);
    if (keys !== undefined) return keys;
  }
  if (fn !== undefined) return fn(argv, def);
  if (doc !== undefined || def === undefined) return undefined;
  // Not documented yet: the legacy first/last/step of the definition.
  const last = def.lastKey < 0 ? argv.length + def.lastKey : def.lastKey;
  const out: KeyRef[] = [];
  for (let i = def.firstKey; i <= last && i < argv.length; i += def.step) out.push({ pos: i, flags: [] });
  return out;
}
