/**
 * The ACL as commands see it (`commands/acl.ts`, AUTH, HELLO, CLIENT LIST): the interfaces the
 * contract re-exports; `acl/index.ts` implements them.
 *
 * @packageDocumentation
 */

/** A user as a client refers to it (CLIENT LIST `user=`, the scripting checks). */
export interface UserView {
  readonly name: string;
  /**
   * Every command, key and channel is allowed (the default user's `+@all ~* &*`): the
   * dispatcher then skips the permission check with this one test.
   */
  readonly unrestricted: boolean;
}

/** One selector as ACL GETUSER shows it. */
export interface SelectorInfo {
  /** `+@all -debug …` */
  readonly commands: string;
  /** `~* ` or `%R~foo ~bar`, '' when none. */
  readonly keys: string;
  /** `&*` or `&foo &bar`, '' when none. */
  readonly channels: string;
}

/** ACL GETUSER's fields. */
export interface UserInfo {
  /** `on`/`off`, `nopass`, `sanitize-payload`…, in Redis's order. */
  readonly flags: readonly string[];
  /** SHA-256 hex digests. */
  readonly passwords: readonly string[];
  /** The root selector (the permissions outside parentheses). */
  readonly root: SelectorInfo;
  /** The selectors added with `(…)`. */
  readonly selectors: readonly SelectorInfo[];
}

/** One ACL LOG entry. */
export interface AclLogEntryView {
  readonly count: number;
  /** `command`, `key`, `channel` or `auth`. */
  readonly reason: string;
  /** `toplevel`, `multi` or `lua`. */
  readonly context: string;
  /** The command, key, channel or `AUTH`. */
  readonly object: string;
  readonly username: string;
  /** Milliseconds since the epoch of the last event. */
  readonly time: number;
  /** CLIENT LIST's line of the last client. */
  readonly clientInfo: string;
}

/** The ACL subsystem as commands use it. Names, passwords and rules are latin1 strings. */
export interface AclView {
  /** ACL SETUSER: all rules or none; throws a `CommandError` with Redis's message. */
  setUser(name: string, rules: readonly string[]): void;
  /** ACL DELUSER of one user (not `default`): its clients are disconnected. */
  deleteUser(name: string): boolean;
  /** ACL GETUSER; undefined when there is no such user. */
  userInfo(name: string): UserInfo | undefined;
  /** ACL LIST: `user <name> <rules>` lines, by name. */
  describeAll(): string[];
  /** ACL USERS: every name, sorted. */
  userNames(): string[];
  /** ACL CAT: the commands (and `container|sub`s) of a category, undefined for an unknown one. */
  commandsInCategory(category: string): string[] | undefined;
  /** ACL LOG: the newest `count` entries. */
  logEntries(count: number): readonly AclLogEntryView[];
  /** ACL LOG RESET. */
  resetLog(): void;
  /**
   * ACL DRYRUN: null when `user` may run `argv`, else Redis's sentence (`This user has no
   * permissions to …`); throws for an unknown user, an unknown command or a wrong arity.
   */
  dryRun(user: string, argv: readonly Buffer[]): string | null;
  /** ACL LOAD: every user of the aclfile, or nothing changes; throws the errors. */
  load(): void;
  /** ACL SAVE; throws when the file cannot be written. */
  save(): void;
  /** The default user has `nopass` (AUTH <password> alone is an error then). */
  readonly defaultNoPass: boolean;
}
