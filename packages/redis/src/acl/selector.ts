/**
 * An ACL selector (Redis 7's aclSelector): which commands, keys and channels it allows, and the
 * rules that change it (ACLSetSelector): `+cmd`, `-cmd`, `+cmd|sub`, `+cmd|firstarg`,
 * `+@category`, `-@category`, `allcommands`/`nocommands`, `~pattern`, `%R~`/`%W~`/`%RW~`,
 * `allkeys`, `resetkeys`, `&pattern`, `allchannels`, `resetchannels`.
 *
 * @packageDocumentation
 */
import type { AclCommand, AclCommands } from './commands';
import { categoryBit } from './commands';

/** Every key is allowed (`~*`, `allkeys`). */
export const SELECTOR_ALLKEYS = 1 << 0;
/** Every channel is allowed (`&*`, `allchannels`). */
export const SELECTOR_ALLCHANNELS = 1 << 1;
/** Every command, without looking at the bits (`+@all`, cleared by any removal). */
export const SELECTOR_ALLCOMMANDS = 1 << 2;
/** The user's own permissions, outside parentheses. */
export const SELECTOR_ROOT = 1 << 3;

/** Key pattern permissions (Redis's ACL_READ_PERMISSION, ACL_WRITE_PERMISSION). */
export const KEY_READ = 1 << 0;
export const KEY_WRITE = 1 << 1;
export const KEY_ALL = KEY_READ | KEY_WRITE;

/** Why a rule was refused: Redis's errno values of ACLSetSelector/ACLSetUser. */
export type RuleError = 'ENOENT' | 'EINVAL' | 'EEXIST' | 'EISDIR' | 'ENODEV' | 'EBADMSG' | 'ECHILD' | 'EALREADY';

/** A key pattern with the access it grants. */
export interface KeyPattern {
  readonly pattern: string;
  flags: number;
}

/** Redis's isspace() or NUL: usernames and patterns may not hold them. */
export function hasSpaces(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  }
  return false;
}

export class Selector {
  flags: number;
  /** One byte per command id (1 = allowed), plus the future bit at {@link AclCommands.futureId}. */
  allowed: Uint8Array;
  /** First arguments allowed for commands whose bit is off (`+select|0`), by command id. */
  firstArgs: Map<number, string[]> | null = null;
  private keyList: KeyPattern[] = [];
  private channelList: string[] = [];
  /**
   * The same patterns by text, so that adding one checks for a duplicate in O(1): a rule list of
   * 50,000 patterns would otherwise cost 10^9 comparisons (redis-server scans its lists: 80 s).
   */
  private keyIndex = new Map<string, KeyPattern>();
  private channelIndex = new Set<string>();

  constructor(
    private readonly table: AclCommands,
    flags: number,
  ) {
    this.flags = flags;
    this.allowed = new Uint8Array(table.bits);
  }

  copy(): Selector {
    const s = new Selector(this.table, this.flags);
    s.allowed.set(this.allowed);
    if (this.firstArgs !== null) s.firstArgs = new Map([...this.firstArgs].map(([id, list]) => [id, [...list]]));
    for (const k of this.keys) s.addKey(k.pattern, k.flags);
    for (const c of this.channels) s.addChannel(c);
    return s;
  }

  /** The key patterns, in the order added (empty with {@link SELECTOR_ALLKEYS}). */
  get keys(): readonly KeyPattern[] {
    return this.keyList;
  }

  /** The channel patterns, in the order added (empty with {@link SELECTOR_ALLCHANNELS}). */
  get channels(): readonly string[] {
    return this.channelList;
  }

  private addKey(pattern: string, flags: number): void {
    const known = this.keyIndex.get(pattern);
    if (known !== undefined) {
      known.flags |= flags;
      return;
    }
    const k = { pattern, flags };
    this.keyList.push(k);
    this.keyIndex.set(pattern, k);
  }

  private addChannel(pattern: string): void {
    if (this.channelIndex.has(pattern)) return;
    this.channelList.push(pattern);
    this.channelIndex.add(pattern);
  }

  private clearKeys(): void {
    this.keyList = [];
    this.keyIndex.clear();
  }

  private clearChannels(): void {
    this.channelList = [];
    this.channelIndex.clear();
  }

  /** Whether the bit of command `id` is set (not the ALLCOMMANDS flag). */
  has(id: number): boolean {
    return this.allowed[id] === 1;
  }

  /** Sets or clears one bit; clearing one drops ALLCOMMANDS (Redis's ACLSetSelectorCommandBit). */
  private setBit(id: number, allow: boolean): void {
    this.allowed[id] = allow ? 1 : 0;
    if (!allow) this.flags &= ~SELECTOR_ALLCOMMANDS;
  }

  /** Allows or blocks a command; a container takes its subcommands along (ACLChangeSelectorPerm). */
  change(cmd: AclCommand, allow: boolean): void {
    this.setBit(cmd.id, allow);
    this.firstArgs?.delete(cmd.id);
    if (cmd.subcommands !== null) for (const sub of cmd.subcommands.values()) this.setBit(sub.id, allow);
  }

  /** `+@category` / `-@category`: false for an unknown category. */
  changeCategory(name: string, allow: boolean): boolean {
    const bit = categoryBit(name);
    if (bit === 0) return false;
    for (const cmd of this.table.all) if ((cmd.categories & bit) !== 0) this.change(cmd, allow);
    return true;
  }

  /** `+@all` or `-@all`. */
  setAll(allow: boolean): void {
    this.allowed.fill(allow ? 1 : 0);
    if (allow) this.flags |= SELECTOR_ALLCOMMANDS;
    else this.flags &= ~SELECTOR_ALLCOMMANDS;
    this.firstArgs = null;
  }

  private addFirstArg(id: number, arg: string): void {
    this.firstArgs ??= new Map();
    let list = this.firstArgs.get(id);
    if (list === undefined) this.firstArgs.set(id, (list = []));
    const lower = arg.toLowerCase();
    if (!list.some((a) => a.toLowerCase() === lower)) list.push(arg);
  }

  /**
   * Applies one rule (Redis's ACLSetSelector). Returns the reason it was refused, or undefined.
   * `warn` hears the deprecation of first-arg rules, as Redis logs it.
   */
  apply(op: string, warn: (msg: string) => void): RuleError | undefined {
    const lower = op.toLowerCase();
    if (lower === 'allkeys' || op === '~*') {
      this.flags |= SELECTOR_ALLKEYS;
      this.clearKeys();
    } else if (lower === 'resetkeys') {
      this.flags &= ~SELECTOR_ALLKEYS;
      this.clearKeys();
    } else if (lower === 'allchannels' || op === '&*') {
      this.flags |= SELECTOR_ALLCHANNELS;
      this.clearChannels();
    } else if (lower === 'resetchannels') {
      this.flags &= ~SELECTOR_ALLCHANNELS;
      this.clearChannels();
    } else if (lower === 'allcommands' || lower === '+@all') {
      this.setAll(true);
    } else if (lower === 'nocommands' || lower === '-@all') {
      this.setAll(false);
    } else if (op[0] === '~' || op[0] === '%') {
      return this.addKeyPattern(op);
    } else if (op[0] === '&') {
      if ((this.flags & SELECTOR_ALLCHANNELS) !== 0) return 'EISDIR';
      const pattern = op.slice(1);
      if (hasSpaces(pattern)) return 'EINVAL';
      this.addChannel(pattern);
      this.flags &= ~SELECTOR_ALLCHANNELS;
    } else if (op[0] === '+' && op[1] !== '@') {
      return this.allowCommand(op.slice(1), warn);
    } else if (op[0] === '-' && op[1] !== '@') {
      const cmd = this.table.lookup(op.slice(1));
      if (cmd === undefined) return 'ENOENT';
      this.change(cmd, false);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      if (!this.changeCategory(op.slice(2), op[0] === '+')) return 'ENOENT';
    } else {
      return 'EINVAL';
    }
    return undefined;
  }

  /** `~pattern`, `%R~`, `%W~`, `%RW~` (any order of R and W, each at most once). */
  private addKeyPattern(op: string): RuleError | undefined {
    if ((this.flags & SELECTOR_ALLKEYS) !== 0) return 'EEXIST';
    let flags = 0;
    let offset = 1;
    if (op[0] === '%') {
      for (; offset < op.length; offset++) {
        const c = op[offset].toUpperCase();
        if (c === 'R' && (flags & KEY_READ) === 0) flags |= KEY_READ;
        else if (c === 'W' && (flags & KEY_WRITE) === 0) flags |= KEY_WRITE;
        else if (op[offset] === '~') {
          offset++;
          break;
        } else return 'EINVAL';
      }
    } else flags = KEY_ALL;
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) return 'EINVAL';
    this.addKey(pattern, flags);
    this.flags &= ~SELECTOR_ALLKEYS;
    return undefined;
  }

  /** `+cmd`, `+container|sub`, `+cmd|first-arg`. */
  private allowCommand(name: string, warn: (msg: string) => void): RuleError | undefined {
    const bar = name.lastIndexOf('|');
    if (bar < 0) {
      const cmd = this.table.lookup(name);
      if (cmd === undefined) return 'ENOENT';
      this.change(cmd, true);
      return undefined;
    }
    const cmd = this.table.lookup(name.slice(0, bar));
    if (cmd === undefined) return 'ENOENT';
    if (cmd.parent !== null) return 'ECHILD';
    const sub = name.slice(bar + 1);
    if (sub === '') return 'EINVAL';
    if (cmd.subcommands !== null) {
      const target = this.table.lookup(name);
      if (target === undefined) return 'ENOENT';
      this.change(target, true);
      return undefined;
    }
    warn(`Deprecation warning: Allowing a first arg of an otherwise blocked command is a misuse of ACL and may get disabled in the future (offender: +${name})`);
    this.addFirstArg(cmd.id, sub);
    return undefined;
  }
}
