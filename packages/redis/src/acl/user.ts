/**
 * An ACL user (Redis's `user`): flags, SHA-256 password hashes and selectors (the root one
 * first), with the user-level rules of ACLSetUser: `on`, `off`, `>pass`, `<pass`, `#hash`,
 * `!hash`, `nopass`, `resetpass`, `(selector)`, `clearselectors`, `reset`,
 * `[skip-]sanitize-payload`; every other rule goes to the root selector.
 *
 * @packageDocumentation
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { splitArgs } from '../parser';
import type { UserView } from './view';
import type { AclCommands } from './commands';
import { describeSelector } from './describe';
import { SELECTOR_ALLCHANNELS, SELECTOR_ALLCOMMANDS, SELECTOR_ALLKEYS, SELECTOR_ROOT, Selector, type RuleError } from './selector';

// User flags, in the order Redis describes them (ACLUserFlags).
const USER_ON = 1 << 0;
const USER_OFF = 1 << 1;
const USER_NOPASS = 1 << 2;
const USER_SKIP_SANITIZE = 1 << 3;
const USER_SANITIZE = 1 << 4;
const FLAG_NAMES: readonly (readonly [number, string])[] = [
  [USER_ON, 'on'],
  [USER_OFF, 'off'],
  [USER_NOPASS, 'nopass'],
  [USER_SKIP_SANITIZE, 'skip-sanitize-payload'],
  [USER_SANITIZE, 'sanitize-payload'],
];

/** A SHA-256 hex digest's length (Redis's HASH_PASSWORD_LEN). */
const HASH_LENGTH = 64;
const EVERYTHING = SELECTOR_ALLCOMMANDS | SELECTOR_ALLKEYS | SELECTOR_ALLCHANNELS;

/** The SHA-256 of a password (its bytes, latin1), in lower-case hex. */
export function hashPassword(password: string | Buffer): string {
  return createHash('sha256')
    .update(typeof password === 'string' ? Buffer.from(password, 'latin1') : password)
    .digest('hex');
}

function validHash(hash: string): boolean {
  return hash.length === HASH_LENGTH && /^[0-9a-f]+$/.test(hash);
}

/** What a user's rules need from the server. */
export interface UserContext {
  readonly table: AclCommands;
  /** `acl-pubsub-default allchannels`: new selectors start with every channel. */
  readonly allChannelsByDefault: boolean;
  warn(msg: string): void;
}

export class AclUser implements UserView {
  flags = USER_OFF;
  passwords: string[] = [];
  /** The root selector first, then the `(…)` ones. */
  selectors: Selector[];
  unrestricted = false;
  /** ACL LIST's text, kept until the next change (Redis's acl_string). */
  private described: string | null = null;

  constructor(
    readonly name: string,
    private readonly ctx: UserContext,
  ) {
    this.selectors = [this.newSelector(SELECTOR_ROOT)];
  }

  private newSelector(flags: number): Selector {
    return new Selector(this.ctx.table, flags | (this.ctx.allChannelsByDefault ? SELECTOR_ALLCHANNELS : 0));
  }

  get root(): Selector {
    return this.selectors[0];
  }

  get enabled(): boolean {
    return (this.flags & USER_ON) !== 0;
  }

  get disabled(): boolean {
    return (this.flags & USER_OFF) !== 0;
  }

  get nopass(): boolean {
    return (this.flags & USER_NOPASS) !== 0;
  }

  get flagNames(): string[] {
    return FLAG_NAMES.filter(([bit]) => (this.flags & bit) !== 0).map(([, name]) => name);
  }

  /** Makes this user's rules those of `src` (Redis's ACLCopyUser: the name stays). */
  copyFrom(src: AclUser): void {
    this.flags = src.flags;
    this.passwords = [...src.passwords];
    this.selectors = src.selectors.map((s) => s.copy());
    this.described = src.described;
    this.changed();
  }

  /** A detached copy to stage rules on. */
  clone(): AclUser {
    const u = new AclUser(this.name, this.ctx);
    u.copyFrom(this);
    return u;
  }

  /** Recomputes what the dispatcher's one test reads. */
  private changed(): void {
    this.unrestricted = (this.root.flags & EVERYTHING) === EVERYTHING;
  }

  /** True when `password` is one of the user's (or the user has nopass); in constant time per hash. */
  checkPassword(password: Buffer): boolean {
    if (this.nopass) return true;
    const hashed = Buffer.from(hashPassword(password), 'latin1');
    let ok = false;
    for (const p of this.passwords) if (timingSafeEqual(hashed, Buffer.from(p, 'latin1'))) ok = true;
    return ok;
  }

  /** Applies one rule (Redis's ACLSetUser); the reason it was refused, or undefined. */
  apply(op: string): RuleError | undefined {
    this.described = null;
    const err = this.applyRule(op);
    this.changed();
    return err;
  }

  private applyRule(op: string): RuleError | undefined {
    if (op === '') return undefined;
    const lower = op.toLowerCase();
    switch (lower) {
      case 'on':
        this.flags = (this.flags | USER_ON) & ~USER_OFF;
        return undefined;
      case 'off':
        this.flags = (this.flags | USER_OFF) & ~USER_ON;
        return undefined;
      case 'skip-sanitize-payload':
        this.flags = (this.flags | USER_SKIP_SANITIZE) & ~USER_SANITIZE;
        return undefined;
      case 'sanitize-payload':
        this.flags = (this.flags | USER_SANITIZE) & ~USER_SKIP_SANITIZE;
        return undefined;
      case 'nopass':
        this.flags |= USER_NOPASS;
        this.passwords = [];
        return undefined;
      case 'resetpass':
        this.flags &= ~USER_NOPASS;
        this.passwords = [];
        return undefined;
      case 'clearselectors':
        this.selectors.length = 1;
        return undefined;
      case 'reset':
        for (const r of ['resetpass', 'resetkeys', 'resetchannels', ...(this.ctx.allChannelsByDefault ? ['allchannels'] : []), 'off', 'sanitize-payload', 'clearselectors', '-@all']) {
          this.applyRule(r);
        }
        return undefined;
      default:
        break;
    }
    if (op[0] === '>' || op[0] === '#') {
      const hash = op[0] === '>' ? hashPassword(op.slice(1)) : op.slice(1);
      if (op[0] === '#' && !validHash(hash)) return 'EBADMSG';
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.flags &= ~USER_NOPASS;
      return undefined;
    }
    if (op[0] === '<' || op[0] === '!') {
      const hash = op[0] === '<' ? hashPassword(op.slice(1)) : op.slice(1);
      if (op[0] === '!' && !validHash(hash)) return 'EBADMSG';
      const at = this.passwords.indexOf(hash);
      if (at < 0) return 'ENODEV';
      this.passwords.splice(at, 1);
      return undefined;
    }
    if (op[0] === '(' && op[op.length - 1] === ')') {
      const s = this.newSelector(0);
      for (const part of splitSelector(op)) {
        const err = s.apply(part, (m) => this.ctx.warn(m));
        if (err !== undefined) return err;
      }
      this.selectors.push(s);
      return undefined;
    }
    return this.root.apply(op, (m) => this.ctx.warn(m));
  }

  /** ACL LIST's rules (without `user <name>`), cached until the next change. */
  describe(): string {
    if (this.described !== null) return this.described;
    let out = '';
    for (const name of this.flagNames) out += `${name} `;
    for (const p of this.passwords) out += `#${p} `;
    for (const s of this.selectors) {
      const text = describeSelector(this.ctx.table, s);
      out += (s.flags & SELECTOR_ROOT) !== 0 ? text : ` (${text})`;
    }
    this.described = out;
    return out;
  }
}

/**
 * The rules inside `(…)`, split as Redis splits them (sdssplitargs: spaces separate words,
 * quotes group them; unbalanced quotes give no rules, an empty selector, as in Redis).
 */
function splitSelector(op: string): string[] {
  const inner = Buffer.from(op.slice(1, -1), 'latin1');
  return (splitArgs(inner, 0, inner.length) ?? []).map((w) => w.latin1Slice(0, w.length));
}
