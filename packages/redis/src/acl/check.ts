/**
 * Whether a user may run a command line (Redis's ACLCheckAllUserCommandPerm): each selector is
 * tried in turn; the command passes when one selector allows the command, every key it names
 * (with the access its key specs say: read for `access`, write for `insert`/`update`/`delete`)
 * and every channel it publishes or subscribes to. Only called for users that are not
 * unrestricted, so the default user's commands never get here.
 *
 * @packageDocumentation
 */
import { globMatch } from '../glob';
import { commandKeys, type KeyRef } from '../commands/command-keys';
import type { AclCommand } from './commands';
import { KEY_READ, KEY_WRITE, SELECTOR_ALLCHANNELS, SELECTOR_ALLCOMMANDS, SELECTOR_ALLKEYS, type Selector } from './selector';
import type { AclUser } from './user';

/** The outcome of a check, in Redis's order of relevance (ACL_OK, ACL_DENIED_CMD, …). */
export const ACL_OK = 0;
export const DENIED_CMD = 1;
export const DENIED_KEY = 2;
export const DENIED_AUTH = 3;
export const DENIED_CHANNEL = 4;

/** A denial: its kind and the argv position of the key or channel (0 for a command). */
export interface Denial {
  readonly reason: number;
  readonly pos: number;
}

/** Where the channels of the pub/sub commands are (Redis's getChannelsFromCommand). */
const CHANNEL_COMMANDS: Readonly<Record<string, { readonly all: boolean; readonly pattern: boolean }>> = {
  publish: { all: false, pattern: false },
  spublish: { all: false, pattern: false },
  subscribe: { all: true, pattern: false },
  ssubscribe: { all: true, pattern: false },
  psubscribe: { all: true, pattern: true },
};

/** The permissions a key reference needs. */
function neededAccess(flags: readonly string[]): number {
  let need = 0;
  for (const f of flags) {
    if (f === 'access') need |= KEY_READ;
    else if (f === 'insert' || f === 'delete' || f === 'update') need |= KEY_WRITE;
  }
  return need;
}

/** Whether a selector lets `key` be used with access `need` (ACLSelectorCheckKey). */
function keyAllowed(s: Selector, key: string, need: number): boolean {
  if ((s.flags & SELECTOR_ALLKEYS) !== 0) return true;
  for (const p of s.keys) if ((p.flags & need) === need && globMatch(p.pattern, key)) return true;
  return false;
}

/**
 * A channel against a selector's list: a channel name is matched against the patterns, a
 * PSUBSCRIBE pattern only literally (ACLCheckChannelAgainstList).
 */
export function channelInList(list: readonly string[], channel: string, isPattern: boolean): boolean {
  for (const p of list) if (isPattern ? p === channel : globMatch(p, channel)) return true;
  return false;
}

/** The keys of a call, computed once for all the selectors. */
class KeyCache {
  private keys: readonly KeyRef[] | null = null;
  constructor(
    private readonly cmd: AclCommand,
    private readonly argv: readonly Buffer[],
  ) {}

  get(): readonly KeyRef[] {
    if (this.keys === null) {
      const e = this.cmd.entry;
      this.keys = commandKeys(e.name, e.doc, e.def, e.arity, this.argv) ?? [];
    }
    return this.keys;
  }
}

/** ACLSelectorCheckCmd: ACL_OK, or the denial with the position in `out`. */
function selectorCheck(s: Selector, cmd: AclCommand, argv: readonly Buffer[], cache: KeyCache, out: { pos: number }): number {
  if ((s.flags & SELECTOR_ALLCOMMANDS) === 0 && !cmd.noAuth && !s.has(cmd.id)) {
    // The bit is off: the command may still be allowed with this first argument (`+select|0`).
    const firsts = s.firstArgs?.get(cmd.id);
    const at = cmd.parent !== null ? 2 : 1;
    if (firsts === undefined || argv.length < 2 || at >= argv.length) return DENIED_CMD;
    const arg = argv[at].latin1Slice(0, argv[at].length).toLowerCase();
    if (!firsts.some((a) => a.toLowerCase() === arg)) return DENIED_CMD;
  }
  if ((s.flags & SELECTOR_ALLKEYS) === 0) {
    for (const k of cache.get()) {
      if (k.pos >= argv.length) continue;
      if (!keyAllowed(s, argv[k.pos].latin1Slice(0, argv[k.pos].length), neededAccess(k.flags))) {
        out.pos = k.pos;
        return DENIED_KEY;
      }
    }
  }
  const channels = CHANNEL_COMMANDS[cmd.fullName];
  if ((s.flags & SELECTOR_ALLCHANNELS) === 0 && channels !== undefined) {
    const last = channels.all ? argv.length - 1 : Math.min(1, argv.length - 1);
    for (let i = 1; i <= last; i++) {
      if (!channelInList(s.channels, argv[i].latin1Slice(0, argv[i].length), channels.pattern)) {
        out.pos = i;
        return DENIED_CHANNEL;
      }
    }
  }
  return ACL_OK;
}

/**
 * Checks `argv` (the command `cmd`) for `user`: null when allowed, else the denial Redis would
 * log: the command when no selector allowed it, otherwise the last key or channel refused.
 */
export function checkCommand(user: AclUser, cmd: AclCommand, argv: readonly Buffer[]): Denial | null {
  const cache = new KeyCache(cmd, argv);
  const out = { pos: 0 };
  let reason = DENIED_CMD;
  let pos = 0;
  for (const s of user.selectors) {
    out.pos = 0;
    const r = selectorCheck(s, cmd, argv, cache, out);
    if (r === ACL_OK) return null;
    if (r > reason || (r === reason && out.pos > pos)) {
      reason = r;
      pos = out.pos;
    }
  }
  return { reason, pos };
}

/**
 * Whether one selector allows `argv` and read access to every key (`%R~*`, `~*`, allkeys):
 * SORT's BY and GET patterns may read any key (ACLUserCheckCmdWithUnrestrictedKeyAccess).
 */
export function mayReadEveryKey(user: AclUser, cmd: AclCommand, argv: readonly Buffer[]): boolean {
  const cache = new KeyCache(cmd, argv);
  const out = { pos: 0 };
  for (const s of user.selectors) {
    if (selectorCheck(s, cmd, argv, cache, out) !== ACL_OK) continue;
    if ((s.flags & SELECTOR_ALLKEYS) !== 0) return true;
    if (s.keys.some((k) => (k.flags & KEY_READ) !== 0 && k.pattern === '*')) return true;
  }
  return false;
}
