/**
 * The documentation model of COMMAND DOCS / INFO / GETKEYSANDFLAGS: argument trees and key specs,
 * parsed once at startup from the compact strings of the docs tables (`command-docs-*.ts`).
 *
 * Argument syntax (one string per command, close to the synopsis redis.io prints):
 * - `name` is a string argument; `name:i` integer, `name:d` double, `name:p` pattern,
 *   `name:t` unix-time, `name:k` a key (its key spec is the next one, in order of appearance),
 *   and a bare `key` is a key too. Digits after the code name the key spec (`name:k2`,
 *   `pattern:p1`: SORT's BY patterns read keys of spec 1). A name may hold `:` (`ip:port`).
 * - An upper-case word is a token: alone it is a pure-token argument (`NX`), followed by an
 *   argument it is that argument's token (`EX seconds:i`, `LIMIT (offset:i count:i)`).
 *   `name=TOK` is a pure token whose name is not the token in lower case (`auto-id=*`).
 * - `[ … ]` optional, `( … )` required; with `|` inside they are a oneof, with several
 *   arguments a block; `name:[ … ]` / `name:( … )` names the oneof or block.
 * - `...` after an argument: it repeats (multiple); `...+`: it repeats with its token.
 *
 * Key specs (Redis 7's key-spec model), `;`-separated, each `FLAGS:BEGIN[FIND]`:
 * - FLAGS: `RW RO OW RM access update insert delete not_key incomplete variable_flags`.
 * - BEGIN: `N` (argv index), `KEYWORD>N` (after the keyword, searched from N; negative: from
 *   the end backwards), `?` (unknown).
 * - FIND: nothing (one key), `..L` / `..L/S` / `..L/S%LIMIT` (range to L, step S, a LIMIT-th of
 *   the rest), `#I+F` / `#I+F/S` (a count at I after the begin, keys from F), `..?` (unknown).
 *
 * @packageDocumentation
 */

/** COMMAND DOCS argument types. */
export type ArgType = 'string' | 'integer' | 'double' | 'key' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';

/** One argument of COMMAND DOCS. */
export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
  /** Index into the command's key specs, for `key` arguments. */
  readonly keySpecIndex?: number;
  readonly token?: string;
  readonly optional: boolean;
  readonly multiple: boolean;
  readonly multipleToken: boolean;
  /** The members of a oneof or block. */
  readonly args?: readonly ArgSpec[];
}

/** Where a key spec starts looking (Redis's begin_search). */
export type BeginSearch = { readonly type: 'index'; readonly index: number } | { readonly type: 'keyword'; readonly keyword: string; readonly startfrom: number } | { readonly type: 'unknown' };

/** How a key spec finds its keys from there (Redis's find_keys). */
export type FindKeys =
  | { readonly type: 'range'; readonly lastkey: number; readonly keystep: number; readonly limit: number }
  | { readonly type: 'keynum'; readonly keynumidx: number; readonly firstkey: number; readonly keystep: number }
  | { readonly type: 'unknown' };

/** One key spec: which arguments are keys and how the command uses them. */
export interface KeySpecDoc {
  readonly flags: readonly string[];
  readonly begin: BeginSearch;
  readonly find: FindKeys;
}

/** Key-spec flags Redis 7.0 knows, in the order COMMAND INFO prints them. */
export const KEY_FLAGS = ['RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags'] as const;

const TYPE_CODES: Readonly<Record<string, ArgType>> = { s: 'string', i: 'integer', d: 'double', k: 'key', p: 'pattern', t: 'unix-time' };

/** A mutable argument while the parser builds it. */
interface Draft {
  name: string;
  type: ArgType;
  keySpecIndex?: number;
  token?: string;
  optional: boolean;
  multiple: boolean;
  multipleToken: boolean;
  args?: Draft[];
}

/** Parses argument syntax into argument specs; throws on a malformed string (a table bug). */
export function parseArgs(syntax: string): ArgSpec[] {
  const words: string[] = [];
  for (const w of syntax.match(/\[|\]|\(|\)|\||[^\s[\]()|]+/g) ?? []) {
    // `name...` is the argument `name` repeated: the marker becomes a word of its own.
    const m = /^(.+?)(\.\.\.\+?)$/.exec(w);
    if (m === null) words.push(w);
    else words.push(m[1], m[2]);
  }
  let pos = 0;
  let nextKey = 0;
  const fail = (why: string): never => {
    throw new Error(`bad command syntax (${why}) at word ${pos}: ${syntax}`);
  };
  const isToken = (w: string): boolean => /^[A-Z][A-Z0-9_-]*$/.test(w) || /^[^a-z\s[\]()|:=]+$/.test(w);
  const startsAtom = (w: string | undefined): boolean => w !== undefined && w !== '|' && w !== ']' && w !== ')' && !w.startsWith('...');

  const postfix = (a: Draft): Draft => {
    const w = words[pos];
    if (w === '...' || w === '...+') {
      pos++;
      a.multiple = true;
      if (w === '...+') a.multipleToken = true;
    }
    return a;
  };

  const group = (close: string, name: string | undefined, optional: boolean): Draft => {
    const alternatives: Draft[][] = [[]];
    for (;;) {
      const w = words[pos];
      if (w === undefined) fail(`missing ${close}`);
      if (w === close) break;
      if (w === '|') {
        pos++;
        alternatives.push([]);
        continue;
      }
      alternatives[alternatives.length - 1].push(atom());
    }
    pos++;
    let out: Draft;
    if (alternatives.length > 1) {
      const members = alternatives.map((alt) => (alt.length === 1 ? alt[0] : { name: 'block', type: 'block' as const, optional: false, multiple: false, multipleToken: false, args: alt }));
      out = { name: name ?? 'arg', type: 'oneof', optional, multiple: false, multipleToken: false, args: members };
    } else if (alternatives[0].length === 1 && name === undefined) {
      out = alternatives[0][0];
      if (optional) out.optional = true;
    } else {
      out = { name: name ?? 'block', type: 'block', optional, multiple: false, multipleToken: false, args: alternatives[0] };
    }
    return postfix(out);
  };

  const atom = (): Draft => {
    const w = words[pos++];
    if (w === '[') return group(']', undefined, true);
    if (w === '(') return group(')', undefined, false);
    if (w.endsWith(':') && (words[pos] === '[' || words[pos] === '(')) {
      const open = words[pos++];
      return group(open === '[' ? ']' : ')', w.slice(0, -1), open === '[');
    }
    const eq = w.indexOf('=', 1);
    if (eq > 0 && /^[a-z]/.test(w)) return postfix({ name: w.slice(0, eq), type: 'pure-token', token: w.slice(eq + 1), optional: false, multiple: false, multipleToken: false });
    if (isToken(w)) {
      if (startsAtom(words[pos]) && !isToken(words[pos]) && words[pos] !== '[') {
        const inner = atom();
        if (inner.token !== undefined) fail('two tokens');
        inner.token = w;
        if (inner.type === 'block' && inner.name === 'block') inner.name = w.toLowerCase();
        return inner;
      }
      return postfix({ name: w.toLowerCase(), type: 'pure-token', token: w, optional: false, multiple: false, multipleToken: false });
    }
    // `name:code` with a type code; a name may hold a colon itself (`ip:port`).
    const colon = w.lastIndexOf(':');
    const typed = colon > 0 && /^[sidkpt]\d*$/.test(w.slice(colon + 1));
    const name = typed ? w.slice(0, colon) : w;
    const code = typed ? w.slice(colon + 1) : name === 'key' ? 'k' : 's';
    const type = TYPE_CODES[code[0]];
    const a: Draft = { name, type, optional: false, multiple: false, multipleToken: false };
    if (code.length > 1) a.keySpecIndex = Number(code.slice(1));
    else if (type === 'key') a.keySpecIndex = nextKey;
    if (type === 'key' && a.keySpecIndex !== undefined) nextKey = a.keySpecIndex + 1;
    return postfix(a);
  };

  const out: Draft[] = [];
  while (pos < words.length) out.push(atom());
  return out;
}

/** Parses key specs; throws on a malformed string (a table bug). */
export function parseKeySpecs(text: string): KeySpecDoc[] {
  return text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^([A-Za-z_ ]*):(\?|-?\d+|[^>\s]+>-?\d+)(\.\.\?|\.\.-?\d+(?:\/\d+)?(?:%\d+)?|#\d+\+\d+(?:\/\d+)?)?$/.exec(s);
      if (m === null) throw new Error(`bad key spec: ${s}`);
      const flags = m[1].split(/\s+/).filter((f) => f !== '');
      for (const f of flags) if (!(KEY_FLAGS as readonly string[]).includes(f)) throw new Error(`bad key spec flag ${f}: ${s}`);
      flags.sort((a, b) => KEY_FLAGS.indexOf(a as (typeof KEY_FLAGS)[number]) - KEY_FLAGS.indexOf(b as (typeof KEY_FLAGS)[number]));
      let begin: BeginSearch;
      if (m[2] === '?') begin = { type: 'unknown' };
      else if (m[2].includes('>')) {
        const [keyword, from] = m[2].split('>');
        begin = { type: 'keyword', keyword, startfrom: Number(from) };
      } else begin = { type: 'index', index: Number(m[2]) };
      const f = m[3];
      let find: FindKeys;
      if (f === undefined) find = { type: 'range', lastkey: 0, keystep: 1, limit: 0 };
      else if (f === '..?') find = { type: 'unknown' };
      else if (f.startsWith('..')) {
        const r = /^\.\.(-?\d+)(?:\/(\d+))?(?:%(\d+))?$/.exec(f);
        if (r === null) throw new Error(`bad key spec range: ${s}`);
        find = { type: 'range', lastkey: Number(r[1]), keystep: Number(r[2] ?? 1), limit: Number(r[3] ?? 0) };
      } else {
        const r = /^#(\d+)\+(\d+)(?:\/(\d+))?$/.exec(f);
        if (r === null) throw new Error(`bad key spec keynum: ${s}`);
        find = { type: 'keynum', keynumidx: Number(r[1]), firstkey: Number(r[2]), keystep: Number(r[3] ?? 1) };
      }
      return { flags, begin, find };
    });
}
