/**
 * The row type of the docs tables (`command-docs-*.ts`) and the shorthands they are written with.
 *
 * @packageDocumentation
 */

/** One row as written in a docs table. */
export interface DocRow {
  readonly since: string;
  readonly complexity: string;
  readonly summary: string;
  /** Argument syntax (see `command-spec.ts`); absent: no arguments. */
  readonly args?: string;
  /** Key specs (see `command-spec.ts`). */
  readonly keys?: string;
  /**
   * ACL categories besides those the flags imply (write, read, admin, dangerous, pubsub, fast,
   * slow, blocking), space-separated; absent: the group's own category (`string` → @string,
   * `generic` → @keyspace, `server` → none).
   */
  readonly acl?: string;
  /** For subcommands: arity and flags (space-separated COMMAND INFO names). */
  readonly arity?: number;
  readonly flags?: string;
  /** Deprecated: [since, replaced by]. */
  readonly deprecated?: readonly [string, string];
  /** Command tips (COMMAND INFO), e.g. `nondeterministic_output`. */
  readonly tips?: string;
}

/** Shorthand for a row: `d(since, complexity, summary, args?, more?)`. */
export function d(since: string, complexity: string, summary: string, args?: string, more: Omit<DocRow, 'since' | 'complexity' | 'summary' | 'args'> = {}): DocRow {
  return { since, complexity, summary, args, ...more };
}

/** A subcommand row: `sub(arity, flags, since, complexity, summary, args?, more?)`. */
export function sub(arity: number, flags: string, since: string, complexity: string, summary: string, args?: string, more: Omit<DocRow, 'since' | 'complexity' | 'summary' | 'args' | 'arity' | 'flags'> = {}): DocRow {
  return { arity, flags, since, complexity, summary, args, ...more };
}


/** The HELP subcommand row every container has. */
export const help = (since: string): DocRow => sub(2, 'loading stale', since, 'O(1)', 'Show helpful text about the different subcommands');

/** Key specs shared by several groups' rows: one key, read; one key, popped from. */
export const ONE_RO = 'RO access:1';
export const POP = 'RW access delete:1';
