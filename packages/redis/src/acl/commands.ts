/**
 * The command table as the ACL sees it (Redis's command ids and `acl_categories`): every command
 * and every subcommand (`config|get`) gets an id, the index of its bit in a selector's allowed
 * commands; the categories are COMMAND INFO's (`commands/command-cmd.ts`: the docs tables'
 * explicit categories plus the ones the flags imply, as Redis's setImplicitACLCategories).
 *
 * @packageDocumentation
 */
import { CMD_NO_AUTH, type CommandDef } from '../command';
import { ACL_CATEGORIES, commandEntries, type CommandEntry } from '../commands/command-cmd';

/** A category's bit: the position of its name in Redis's ACLCommandCategories (21 < 32). */
const CATEGORY_BIT = new Map<string, number>(ACL_CATEGORIES.map((name, i) => [name, 1 << i]));

/** The bit of category `name` (any case), 0 for an unknown one. */
export function categoryBit(name: string): number {
  return CATEGORY_BIT.get(name.toLowerCase()) ?? 0;
}

/** One command or subcommand. */
export interface AclCommand {
  /** Its bit in {@link Selector.allowed}. */
  readonly id: number;
  /** `get` or `config|get`. */
  readonly fullName: string;
  /** Category bits ({@link categoryBit}). */
  readonly categories: number;
  /** Allowed before authentication: the command permission is not checked (Redis's CMD_NO_AUTH). */
  readonly noAuth: boolean;
  readonly entry: CommandEntry;
  /** The container of a subcommand. */
  readonly parent: AclCommand | null;
  /** A container's subcommands by their own name (`get`), null for a plain command. */
  readonly subcommands: ReadonlyMap<string, AclCommand> | null;
}

/** The ids and categories of a command table, built once per server. */
export class AclCommands {
  /** Every command, each followed by its subcommands. */
  readonly all: readonly AclCommand[];
  /** The ids of each category's commands, by category bit position. */
  readonly byCategory: readonly (readonly AclCommand[])[];
  /**
   * The id of the reserved bit `+@all` sets and nothing else does (Redis's last bit): a selector
   * with it set started from every command, so future commands would be allowed too.
   */
  readonly futureId: number;
  private readonly byName = new Map<string, AclCommand>();

  constructor(table: ReadonlyMap<string, CommandDef>) {
    const all: AclCommand[] = [];
    const make = (e: CommandEntry, parent: AclCommand | null, subs: Map<string, AclCommand> | null): AclCommand => {
      let categories = 0;
      for (const c of e.categories) categories |= categoryBit(c);
      const cmd: AclCommand = { id: all.length, fullName: e.name, categories, noAuth: (e.flags & CMD_NO_AUTH) !== 0, entry: e, parent, subcommands: subs };
      all.push(cmd);
      this.byName.set(e.name, cmd);
      return cmd;
    };
    for (const e of commandEntries(table).values()) {
      const subs = e.subcommands.length > 0 ? new Map<string, AclCommand>() : null;
      const top = make(e, null, subs);
      if (subs === null) continue;
      for (const s of e.subcommands) subs.set(s.name.slice(s.name.indexOf('|') + 1), make(s, top, null));
    }
    this.all = all;
    this.futureId = all.length;
    this.byCategory = ACL_CATEGORIES.map((_, i) => all.filter((c) => (c.categories & (1 << i)) !== 0));
  }

  /** How many bits a selector needs: one per command, and the future bit. */
  get bits(): number {
    return this.futureId + 1;
  }

  /**
   * Redis's ACLLookupCommand: `name` (any case) or `container|sub`; undefined when unknown, when
   * a part is missing, or for more than two parts.
   */
  lookup(name: string): AclCommand | undefined {
    const lower = name.toLowerCase();
    const bar = lower.indexOf('|');
    if (bar < 0) return this.byName.get(lower);
    const top = this.byName.get(lower.slice(0, bar));
    if (top === undefined || top.subcommands === null) return undefined;
    return top.subcommands.get(lower.slice(bar + 1));
  }

  /** The command a call runs: a container's subcommand when argv[1] names one. */
  ofCall(def: CommandDef, argv: readonly Buffer[]): AclCommand | undefined {
    const top = this.byName.get(def.name);
    if (top === undefined || top.subcommands === null || argv.length < 2) return top;
    return top.subcommands.get(argv[1].latin1Slice(0, argv[1].length).toLowerCase()) ?? top;
  }
}
