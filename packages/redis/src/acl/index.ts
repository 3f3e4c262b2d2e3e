/**
 * The ACL subsystem (Redis's acl.c): the users, the default user (`requirepass` is its
 * password), authentication, the permission checks the dispatcher, EXEC and scripts make, the
 * ACL LOG, the aclfile and the `user` directives of the config file. What each piece does is in
 * its own file: `commands.ts` (ids and categories), `selector.ts` and `user.ts` (rules),
 * `describe.ts` (rules back from bits), `check.ts` (permissions), `log.ts`, `file.ts`.
 *
 * @packageDocumentation
 */
import path from 'node:path';
import type { Client } from '../client';
import { CommandError, arityError, showSetting, type ClientView, type CommandDef, type Config } from '../command';
import { clientInfoLine } from '../commands/client';
import { ACL_CATEGORIES } from '../commands/command-cmd';
import type { AclLogEntryView, AclView, UserInfo, UserView } from './view';
import { DENIED_AUTH, DENIED_CHANNEL, DENIED_CMD, DENIED_KEY, channelInList, checkCommand, mayReadEveryKey, type Denial } from './check';
import { AclCommands, type AclCommand } from './commands';
import { describeChannels, describeCommandRules, describeKeys } from './describe';
import { mergeSelectorArgs, readAclFile, writeAclFile } from './file';
import { AclLog, type LogContext } from './log';
import { SELECTOR_ALLCHANNELS, hasSpaces, type RuleError, type Selector } from './selector';
import { AclUser, type UserContext } from './user';

export type { AclView, UserView } from './view';
export { AclUser } from './user';

/** Redis's ACLSetUserStringError texts. */
const RULE_ERRORS: Readonly<Record<RuleError, string>> = {
  ENOENT: 'Unknown command or category name in ACL',
  EINVAL: 'Syntax error',
  EEXIST: "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  EISDIR: "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  ENODEV: 'The password you are trying to remove from the user does not exist',
  EBADMSG: 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
  ECHILD: 'Allowing first-arg of a subcommand is not supported',
  EALREADY: 'Duplicate user found. A user can only be defined once in config files',
};

const NO_ACL_FILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

/** What the ACL needs from the server. */
export interface AclHost {
  readonly config: Readonly<Config>;
  readonly clients: ReadonlyMap<number, Client>;
  /** The client whose command runs now: it is closed after its reply, not at once. */
  readonly current: Client | null;
  readonly log: { warn(msg: string): void };
  now(): number;
  killClient(c: Client): void;
  /** argv[0] as `c` sent it (ACL LOG shows AUTH as typed). */
  commandNameAsSent(c: Client): string;
}

function text(b: Buffer): string {
  return b.latin1Slice(0, b.length);
}

export class Acl implements AclView {
  readonly table: AclCommands;
  readonly defaultUser: AclUser;
  /**
   * The user of internal clients (the AOF's replay): allowed everything whatever the default
   * user's rules, as Redis's clients without a user; never in the users' table.
   */
  readonly internalUser: AclUser;
  readonly log = new AclLog();
  private users = new Map<string, AclUser>();
  private readonly userContext: UserContext;

  constructor(
    private readonly host: AclHost,
    commands: ReadonlyMap<string, CommandDef>,
  ) {
    this.table = new AclCommands(commands);
    const table = this.table;
    this.userContext = {
      table,
      get allChannelsByDefault() {
        return showSetting(host.config, 'acl-pubsub-default') === 'allchannels';
      },
      warn: (msg) => host.log.warn(msg),
    };
    this.defaultUser = this.createDefaultUser();
    this.internalUser = this.createDefaultUser();
    this.users.set('default', this.defaultUser);
    this.setDefaultPassword(host.config.requirepass);
  }

  private createDefaultUser(): AclUser {
    const u = new AclUser('default', this.userContext);
    for (const r of ['+@all', '~*', '&*', 'on', 'nopass']) u.apply(r);
    return u;
  }

  /** `requirepass` (startup, CONFIG SET): the default user's only password, or nopass when ''. */
  setDefaultPassword(password: string): void {
    this.defaultUser.apply('resetpass');
    this.defaultUser.apply(password === '' ? 'nopass' : `>${password}`);
    this.defaultUserChanged();
  }

  /**
   * The default user's password or state changed: the request-size limits of unauthenticated
   * clients follow (Redis's parser asks authRequired for every request).
   */
  private defaultUserChanged(): void {
    const required = this.authRequired;
    for (const c of this.host.clients.values()) c.parser.authRequired = required && !c.authenticated;
  }

  /**
   * The users of the config file's `user` lines, then the aclfile's (Redis's
   * ACLLoadUsersAtStartup); throws Redis's startup error.
   */
  loadAtStartup(): void {
    const configured = this.host.config.users ?? [];
    const file = showSetting(this.host.config, 'aclfile');
    if (file !== '' && configured.length > 0) {
      throw new Error(
        'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.',
      );
    }
    const seen = new Set<string>();
    for (const words of configured) {
      const name = words[0] ?? '';
      if (seen.has(name)) throw new Error(`Error in user declaration '${name}': ${RULE_ERRORS.EALREADY}`);
      seen.add(name);
      if (hasSpaces(name)) throw new Error('Spaces not allowed in ACL usernames');
      const rules = mergeSelectorArgs(words.slice(1));
      if (typeof rules === 'number') throw new Error(`Error in user declaration '${words[rules + 1]}': Unmatched parenthesis in acl selector`);
      let u = this.users.get(name);
      if (u === undefined) this.users.set(name, (u = new AclUser(name, this.userContext)));
      else u.apply('reset');
      for (const r of rules) {
        const err = u.apply(r);
        if (err !== undefined) throw new Error(`Error loading ACL rule '${r}' for the user named '${name}': ${RULE_ERRORS[err]}`);
      }
      if (u.disabled) {
        this.host.log.warn(`The user '${name}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.`);
      }
    }
    if (file !== '') {
      const errors = this.loadFile(file);
      if (errors !== null) throw new Error(`Aborting Redis startup because of ACL errors: ${errors}`);
    }
  }

  // --- the checks ---

  /** Authentication is needed: the default user has a password or is off (Redis's authRequired). */
  get authRequired(): boolean {
    return !this.defaultUser.nopass || this.defaultUser.disabled;
  }

  get defaultNoPass(): boolean {
    return this.defaultUser.nopass;
  }

  /** AUTH / HELLO AUTH for `c`; false (logged) when the pair is wrong or the user is off. */
  login(c: Client, username: string, password: Buffer): boolean {
    const u = this.users.get(username);
    if (u !== undefined && !u.disabled && u.checkPassword(password)) {
      c.user = u;
      c.authenticated = true;
      return true;
    }
    this.addLog(c, DENIED_AUTH, c.inMulti ? 'multi' : 'toplevel', this.host.commandNameAsSent(c), username);
    return false;
  }

  /** The NOPERM reply for a command `c` may not run (logged), or null: the dispatcher's check. */
  denied(c: Client, def: CommandDef, argv: readonly Buffer[]): string | null {
    const cmd = this.table.ofCall(def, argv);
    const d = cmd === undefined ? { reason: DENIED_CMD, pos: 0 } : checkCommand(c.user, cmd, argv);
    if (d === null) return null;
    // Redis names the refused command in the client's info (its lastcmd is set at lookup).
    c.lastCommand = cmd?.fullName ?? def.name;
    this.logDenial(c, d, c.inMulti ? 'multi' : 'toplevel', c.lastCommand, argv);
    if (d.reason === DENIED_CMD) return `NOPERM this user has no permissions to run the '${cmd?.fullName ?? def.name}' command`;
    if (d.reason === DENIED_KEY) return 'NOPERM this user has no permissions to access one of the keys used as arguments';
    return 'NOPERM this user has no permissions to access one of the channels used as arguments';
  }

  /** EXEC's second check of a queued command (the rules may have changed since it was queued). */
  deniedInExec(c: Client, def: CommandDef, argv: readonly Buffer[], queued: number): string | null {
    const cmd = this.table.ofCall(def, argv);
    const d = cmd === undefined ? { reason: DENIED_CMD, pos: 0 } : checkCommand(c.user, cmd, argv);
    if (d === null) return null;
    this.logDenial(c, d, 'multi', cmd?.fullName ?? def.name, argv, c.user.name, queued);
    const why =
      d.reason === DENIED_CMD
        ? 'no permission to execute the command or subcommand'
        : d.reason === DENIED_KEY
          ? 'no permission to touch the specified keys'
          : 'no permission to access one of the channels used as arguments';
    return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${why}`;
  }

  /** redis.call's check: the script runs with its caller's user (logged in the `lua` context). */
  deniedInScript(caller: ClientView, def: CommandDef, argv: readonly Buffer[]): string | null {
    const user = this.users.get(caller.user.name) ?? this.defaultUser;
    const cmd = this.table.ofCall(def, argv);
    const d = cmd === undefined ? { reason: DENIED_CMD, pos: 0 } : checkCommand(user, cmd, argv);
    if (d === null) return null;
    this.logDenial(caller, d, 'lua', cmd?.fullName ?? def.name, argv, user.name);
    const why =
      d.reason === DENIED_CMD
        ? "can't run this command or subcommand"
        : d.reason === DENIED_KEY
          ? "can't access at least one of the keys mentioned in the command arguments"
          : "can't publish to the channel mentioned in the command";
    return `ERR The user executing the script ${why}`;
  }

  /**
   * redis.acl_check_cmd: 1 when the script's caller may run `argv`, 0 when not, -1 when there is
   * no such command (or subcommand), as Redis's lookupCommand finds it.
   */
  scriptMayRun(caller: ClientView, argv: readonly Buffer[]): number {
    const cmd = this.lookupCall(argv);
    if (cmd === undefined) return -1;
    if (caller.user.unrestricted) return 1;
    return checkCommand(this.users.get(caller.user.name) ?? this.defaultUser, cmd, argv) === null ? 1 : 0;
  }

  /** SORT's BY/GET patterns: `user` may run `argv` with read access to every key. */
  mayReadEveryKey(user: UserView, def: CommandDef, argv: readonly Buffer[]): boolean {
    if (user.unrestricted) return true;
    const u = this.users.get(user.name) ?? this.defaultUser;
    const cmd = this.table.ofCall(def, argv);
    return cmd !== undefined && mayReadEveryKey(u, cmd, argv);
  }

  /** `execQueued` >= 0: denied inside EXEC of that many commands (see {@link clientInfoLine}). */
  private logDenial(c: ClientView, d: Denial, context: LogContext, name: string, argv: readonly Buffer[], username = c.user.name, execQueued = -1): void {
    const object = d.reason === DENIED_CMD ? name : text(argv[d.pos]);
    this.addLog(c, d.reason, context, object, username, execQueued);
  }

  private addLog(c: ClientView, reason: number, context: LogContext, object: string, username: string, execQueued = -1): void {
    const max = Number(showSetting(this.host.config, 'acllog-max-len'));
    this.log.add(reason, context, object, username, clientInfoLine(c, this.host.now(), execQueued), Date.now(), max);
  }

  // --- changing users ---

  setUser(name: string, rules: readonly string[]): void {
    if (hasSpaces(name)) throw new CommandError("ERR Usernames can't contain spaces or null characters");
    const merged = mergeSelectorArgs(rules);
    if (typeof merged === 'number') throw new CommandError(`ERR Unmatched parenthesis in acl selector starting at '${rules[merged]}'.`);
    const existing = this.users.get(name);
    // Staged on a copy: every rule applies, or none.
    const staged = existing?.clone() ?? new AclUser(name, this.userContext);
    for (const r of merged) {
      const err = staged.apply(r);
      if (err !== undefined) throw new CommandError(`ERR Error in ACL SETUSER modifier '${r}': ${RULE_ERRORS[err]}`);
    }
    if (existing !== undefined) {
      this.killRevokedSubscribers(staged, existing);
      existing.copyFrom(staged);
      if (existing === this.defaultUser) this.defaultUserChanged();
    } else this.users.set(name, staged);
  }

  deleteUser(name: string): boolean {
    const u = this.users.get(name);
    if (u === undefined || u === this.defaultUser) return false;
    this.users.delete(name);
    this.disconnectUser(u);
    return true;
  }

  /** Clients authenticated as a removed user go: the one running the command after its reply. */
  private disconnectUser(u: AclUser): void {
    for (const c of [...this.host.clients.values()]) {
      if (c.user !== u) continue;
      c.user = this.defaultUser;
      c.authenticated = false;
      if (c === this.host.current) c.closeAfterReply();
      else this.host.killClient(c);
    }
  }

  /**
   * Subscribers of `original` whose channels `updated` no longer allows are disconnected
   * (Redis's ACLKillPubsubClientsIfNeeded), unless the new channels cover the old ones.
   */
  private killRevokedSubscribers(updated: AclUser, original: AclUser): void {
    if (updated.selectors.some((s) => (s.flags & SELECTOR_ALLCHANNELS) !== 0)) return;
    const upcoming = updated.selectors.flatMap((s) => s.channels);
    const upcomingSet = new Set(upcoming);
    const covered = original.selectors.every((s: Selector) => (s.flags & SELECTOR_ALLCHANNELS) === 0 && s.channels.every((ch) => upcomingSet.has(ch)));
    if (covered) return;
    for (const c of [...this.host.clients.values()]) {
      if (c.user !== original || !c.subscribed) continue;
      const revoked =
        [...c.patterns].some((p) => !channelInList(upcoming, p, true)) ||
        [...c.channels].some((ch) => !channelInList(upcoming, ch, false)) ||
        [...c.shardChannels].some((ch) => !channelInList(upcoming, ch, false));
      if (!revoked) continue;
      if (c === this.host.current) c.closeAfterReply();
      else this.host.killClient(c);
    }
  }

  // --- what ACL subcommands read ---

  userInfo(name: string): UserInfo | undefined {
    const u = this.users.get(name);
    if (u === undefined) return undefined;
    const info = (s: Selector): UserInfo['root'] => ({ commands: describeCommandRules(this.table, s), keys: describeKeys(s), channels: describeChannels(s) });
    return { flags: u.flagNames, passwords: [...u.passwords], root: info(u.root), selectors: u.selectors.slice(1).map(info) };
  }

  userNames(): string[] {
    return [...this.users.keys()].sort();
  }

  describeAll(): string[] {
    return this.userNames().map((n) => `user ${n} ${this.users.get(n)?.describe() ?? ''}`);
  }

  commandsInCategory(category: string): string[] | undefined {
    const index = ACL_CATEGORIES.findIndex((c) => c === category.toLowerCase());
    return index < 0 ? undefined : this.table.byCategory[index].map((c) => c.fullName);
  }

  logEntries(count: number): readonly AclLogEntryView[] {
    return this.log.newest(count);
  }

  resetLog(): void {
    this.log.reset();
  }

  dryRun(username: string, argv: readonly Buffer[]): string | null {
    const u = this.users.get(username);
    if (u === undefined) throw new CommandError(`ERR User '${username}' not found`);
    const cmd = this.lookupCall(argv);
    if (cmd === undefined) throw new CommandError(`ERR Command '${text(argv[0])}' not found`);
    const arity = cmd.entry.arity;
    if (arity > 0 ? argv.length !== arity : argv.length < -arity) throw new CommandError(arityError(cmd.fullName));
    const d = checkCommand(u, cmd, argv);
    if (d === null) return null;
    if (d.reason === DENIED_CMD) return `This user has no permissions to run the '${cmd.fullName}' command`;
    const what = d.reason === DENIED_CHANNEL ? 'channel' : 'key';
    return `This user has no permissions to access the '${text(argv[d.pos])}' ${what}`;
  }

  /** Redis's lookupCommand: a container's subcommand when there are two words or more. */
  private lookupCall(argv: readonly Buffer[]): AclCommand | undefined {
    const name = text(argv[0]);
    if (name.includes('|')) return undefined;
    const top = this.table.lookup(name);
    if (top === undefined || top.subcommands === null || argv.length === 1) return top;
    return top.subcommands.get(text(argv[1]).toLowerCase());
  }

  // --- the aclfile ---

  private aclFile(): string {
    const file = showSetting(this.host.config, 'aclfile');
    if (file === '') throw new CommandError(NO_ACL_FILE);
    return file;
  }

  load(): void {
    const errors = this.loadFile(this.aclFile());
    if (errors !== null) throw new CommandError(`ERR ${errors}`);
  }

  save(): void {
    const file = this.aclFile();
    const lines = this.describeAll().map((l) => `${l}\n`).join('');
    try {
      writeAclFile(path.resolve(this.host.config.dir, file), lines);
    } catch (e) {
      this.host.log.warn(`Writing ACL file for ACL SAVE: ${e instanceof Error ? e.message : String(e)}`);
      throw new CommandError('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
    }
  }

  /** Redis's ACLLoadFromFile: the new users replace the old ones, or nothing changes (the errors). */
  private loadFile(file: string): string | null {
    let lines;
    try {
      lines = readAclFile(path.resolve(this.host.config.dir, file), file);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    const users = new Map<string, AclUser>();
    let errors = '';
    for (const { lineNo, words } of lines) {
      if (words[0] !== 'user' || words.length < 2) {
        errors += `${file}:${lineNo} should start with user keyword followed by the username. `;
        continue;
      }
      const name = words[1];
      if (hasSpaces(name)) {
        errors += `'${file}:${lineNo}: username '${name}' contains invalid characters. `;
        continue;
      }
      if (users.has(name)) {
        errors += `WARNING: Duplicate user '${name}' found on line ${lineNo}. `;
        continue;
      }
      const u = new AclUser(name, this.userContext);
      users.set(name, u);
      const rules = mergeSelectorArgs(words.slice(2));
      if (typeof rules === 'number') {
        errors += `${file}:${lineNo}: Unmatched parenthesis in selector definition.`;
        continue;
      }
      let syntaxError = false;
      for (const raw of rules) {
        const r = raw.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
        const err = u.apply(r);
        if (err === undefined) continue;
        if (err === 'ENOENT') errors += `${file}:${lineNo}: Error in applying operation '${r}': ${RULE_ERRORS[err]}. `;
        else if (!syntaxError) {
          errors += `${file}:${lineNo}: ${RULE_ERRORS[err]}. `;
          syntaxError = true;
        }
      }
    }
    if (errors !== '') return `${errors}WARNING: ACL errors detected, no change to the previously active ACL rules was performed`;
    // The default user object stays (clients point at it): it takes the new rules.
    this.defaultUser.copyFrom(users.get('default') ?? this.createDefaultUser());
    users.set('default', this.defaultUser);
    this.defaultUserChanged();
    const old = this.users;
    this.users = users;
    for (const u of old.values()) if (u !== this.defaultUser) this.disconnectUser(u);
    return null;
  }
}
